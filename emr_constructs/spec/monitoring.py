"""Monitoring of a long-running cluster: alarms on EMR's CloudWatch metrics, a dashboard, EventBridge
notifications, and where they are delivered (EMR Management Guide, "Monitoring Amazon EMR metrics with
CloudWatch" and "Monitoring Amazon EMR events with EventBridge")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel

#: EMR publishes its metrics every five minutes (UsingEMR_ViewingMetrics.html); alarms evaluate whole periods.
PERIOD_MINUTES = 5

AlarmName = Literal[
    "idle",
    "apps_pending",
    "container_pending_ratio",
    "yarn_memory_available",
    "hdfs_utilization",
    "capacity_remaining",
    "unhealthy_nodes",
    "lost_nodes",
    "capacity_shortfall",
]
Comparison = Literal[">=", "<"]
LogType = Literal["STEP_LOGS", "SPARK_DRIVER", "SPARK_EXECUTOR"]
LogStream = Literal["STDOUT", "STDERR"]


def _default_log_types() -> dict[LogType, tuple[LogStream, ...]]:
    return {"STEP_LOGS": ("STDOUT", "STDERR"), "SPARK_DRIVER": ("STDOUT", "STDERR")}


@dataclass(frozen=True)
class AlarmDefault:
    """One alarm's metric, comparison and defaults. ``statistic`` is taken over each five-minute period; the
    alarm fires when every period in ``minutes`` breaches."""

    metric: str
    comparison: Comparison
    threshold: float
    minutes: int
    statistic: Literal["Average", "Maximum", "Minimum"]
    meaning: str


#: The alarms and their defaults. ``capacity_shortfall`` reads the managed-scaling metrics for fleets
#: (TotalUnitsRequested - TotalUnitsRunning) and CoreNodesPending/TaskNodesPending for instance groups.
ALARMS: dict[str, AlarmDefault] = {
    "idle": AlarmDefault("IsIdle", ">=", 1, 120, "Minimum", "the cluster has run no work for {minutes} minutes"),
    "apps_pending": AlarmDefault(
        "AppsPending", ">=", 1, 30, "Minimum", "YARN applications have waited for {minutes} minutes"
    ),
    "container_pending_ratio": AlarmDefault(
        "ContainerPendingRatio",
        ">=",
        1,
        30,
        "Average",
        "at least as many containers pending as allocated (ratio {threshold}) for {minutes} minutes",
    ),
    "yarn_memory_available": AlarmDefault(
        "YARNMemoryAvailablePercentage",
        "<",
        10,
        15,
        "Average",
        "YARN memory below {threshold}% free for {minutes} minutes",
    ),
    "hdfs_utilization": AlarmDefault(
        "HDFSUtilization", ">=", 80, 15, "Maximum", "HDFS at {threshold}% or more for {minutes} minutes"
    ),
    "capacity_remaining": AlarmDefault(
        "CapacityRemainingGB", "<", 100, 15, "Minimum", "less than {threshold} GB of HDFS left for {minutes} minutes"
    ),
    "unhealthy_nodes": AlarmDefault(
        "MRUnhealthyNodes", ">=", 1, 15, "Maximum", "a node has been UNHEALTHY in YARN for {minutes} minutes"
    ),
    "lost_nodes": AlarmDefault(
        "MRLostNodes", ">=", 1, 15, "Maximum", "a node has been LOST in YARN for {minutes} minutes"
    ),
    "capacity_shortfall": AlarmDefault(
        "capacity requested - running",
        ">=",
        1,
        30,
        "Minimum",
        "requested capacity has not arrived for {minutes} minutes (Spot or On-Demand shortage)",
    ),
}


class AlarmSetting(SpecModel):
    """Overrides for one alarm: ``enabled`` (default true), ``threshold`` and ``minutes`` (a multiple of 5,
    up to one day)."""

    enabled: bool = True
    threshold: float | None = None
    minutes: int | None = Field(default=None, ge=PERIOD_MINUTES, le=1440, multiple_of=PERIOD_MINUTES)


class SlackChannelSpec(SpecModel):
    """A Slack channel that AWS Chatbot posts the notifications to. The workspace must be authorised in the
    AWS Chatbot console first (AWS Chatbot Administrator Guide, "Get started with Slack")."""

    workspace_id: str = Field(pattern=r"^[0-9A-Z]{1,255}$")
    channel_id: str = Field(pattern=r"^[A-Za-z0-9]+$", max_length=256)


class CloudWatchLogsSpec(SpecModel):
    """Step and Spark logs to CloudWatch Logs as well as S3 (emr-7.11.0+, with the CloudWatch agent): a
    KMS-encrypted log group ``/aws/emr/<environment>/<cluster>`` kept ``retention_days`` (default 90).
    ``log_types`` default to EMR's: STEP_LOGS and SPARK_DRIVER, each STDOUT and STDERR."""

    retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653] = 90
    log_types: dict[LogType, tuple[LogStream, ...]] = Field(default_factory=_default_log_types, min_length=1)


class MonitoringSpec(SpecModel):
    """Alarms, a dashboard and EventBridge notifications for a long-running cluster, delivered to an SNS topic
    encrypted with a customer-managed key. Defaults: every alarm in ``ALARMS`` with its default threshold, the
    dashboard, and the notifications on; no subscribers. ``emails`` and ``slack`` subscribe to the topic;
    ``lambda_function_arn`` also receives every notification's raw event. ``logs`` ships step and Spark logs to
    CloudWatch Logs."""

    emails: tuple[str, ...] = Field(default=(), max_length=20)
    slack: tuple[SlackChannelSpec, ...] = Field(default=(), max_length=5)
    alarms: dict[AlarmName, AlarmSetting] = Field(default_factory=dict)
    dashboard: bool = True
    notifications: bool = True
    lambda_function_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[\w$-]+)?$"
    )
    logs: CloudWatchLogsSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> MonitoringSpec:
        for email in self.emails:
            if not _looks_like_email(email):
                raise ValueError(f"emails: {email!r} is not an email address. Fix: write name@example.com")
        if len(set(self.emails)) != len(self.emails):
            raise ValueError("emails: an address is listed twice. Fix: list each address once")
        return self

    def alarm(self, name: str) -> tuple[bool, float, int]:
        """(enabled, threshold, minutes) of alarm ``name`` with the overrides applied."""
        default = ALARMS[name]
        setting = self.alarms.get(name, AlarmSetting())  # type: ignore[call-overload]
        threshold = default.threshold if setting.threshold is None else setting.threshold
        minutes = default.minutes if setting.minutes is None else setting.minutes
        return setting.enabled, threshold, minutes


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain and " " not in text and not domain.startswith("."))
