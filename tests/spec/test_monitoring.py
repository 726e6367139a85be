"""Monitoring settings: defaults, overrides, and every rejected value."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emr_constructs.spec import AppConfig, MonitoringSpec
from emr_constructs.spec.monitoring import ALARMS
from tests.spec.payloads import fleet_cluster, rejects, valid


def _path(path: str) -> str:
    return rf"^  - {re.escape(path)}: "


def test_defaults_turn_every_alarm_the_dashboard_and_notifications_on() -> None:
    spec = MonitoringSpec()
    assert spec.dashboard and spec.notifications and spec.logs is None
    assert spec.emails == () and spec.slack == () and spec.lambda_function_arn is None
    for name, default in ALARMS.items():
        assert spec.alarm(name) == (True, default.threshold, default.minutes)


def test_overrides_apply_per_alarm() -> None:
    spec = MonitoringSpec.model_validate(
        {
            "alarms": {
                "idle": {"minutes": 240},
                "yarn_memory_available": {"threshold": 15},
                "lost_nodes": {"enabled": False},
            }
        }
    )
    assert spec.alarm("idle") == (True, 1, 240)
    assert spec.alarm("yarn_memory_available") == (True, 15, ALARMS["yarn_memory_available"].minutes)
    assert spec.alarm("lost_nodes")[0] is False


def test_logs_default_to_emr_log_types_for_90_days() -> None:
    spec = valid(fleet_cluster(release_label="emr-7.11.0", monitoring={"logs": {}}))
    assert spec.cloudwatch_logs is not None
    assert spec.cloudwatch_logs.retention_days == 90
    assert spec.cloudwatch_logs.log_types == {"STEP_LOGS": ("STDOUT", "STDERR"), "SPARK_DRIVER": ("STDOUT", "STDERR")}
    assert "AmazonCloudWatchAgent" in [a.name for a in spec.installed_applications], "logs travel through the agent"


def test_alarms_alone_add_no_agent() -> None:
    spec = valid(fleet_cluster(monitoring={}))
    assert "AmazonCloudWatchAgent" not in [a.name for a in spec.installed_applications]


# -- failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monitoring", "field"),
    [
        ({"emails": ["not-an-address"]}, "is not an email address"),
        ({"emails": ["a@example.com", "a@example.com"]}, "listed twice"),
        ({"alarms": {"idle": {"minutes": 7}}}, "multiple of 5"),
        ({"alarms": {"idle": {"minutes": 0}}}, "at least 5"),
        ({"alarms": {"idle": {"minutes": 1445}}}, "at most 1440"),
        ({"alarms": {"disk_full": {"threshold": 1}}}, "disk_full"),
        ({"slack": [{"workspace_id": "t0lower", "channel_id": "C012"}]}, "workspace_id"),
        ({"slack": [{"workspace_id": "T012", "channel_id": "#general"}]}, "channel_id"),
        ({"lambda_function_arn": "arn:aws:lambda:eu-west-1:1234:function:x"}, "lambda_function_arn"),
        ({"logs": {"retention_days": 10}}, "retention_days"),
        ({"logs": {"log_types": {"STEP_LOGS": ["STDLOG"]}}}, "STDLOG"),
        ({"logs": {"log_types": {}}}, "log_types"),
        ({"dashbord": False}, "dashbord"),
    ],
)
def test_fails_invalid_monitoring(monitoring: dict[str, Any], field: str) -> None:
    rejects(fleet_cluster(monitoring=monitoring), re.escape(field))


def test_fails_logs_before_7_11() -> None:
    error = rejects(fleet_cluster(release_label="emr-7.10.0", monitoring={"logs": {}}), _path("monitoring.logs"))
    assert "emr-7.11.0+" in str(error) and "emr-plan-logging-cw.html" in str(error)


def _app(job_flow_cluster: dict[str, Any], **job_flow: Any) -> dict[str, Any]:
    return {
        "environment": "dev",
        "account": "111111111111",
        "region": "eu-west-1",
        "availability_zones": ["eu-west-1a"],
        "clusters": [fleet_cluster(name="long-running")],
        "job_flows": [{"cluster": job_flow_cluster, **job_flow}],
    }


def test_job_flows_take_only_logs() -> None:
    steps = [{"name": "s", "command": ["echo", "hi"]}]
    cluster = fleet_cluster(release_label="emr-7.11.0", steps=steps, monitoring={"logs": {}})
    ok = AppConfig.model_validate(_app(cluster, newer_request_fields=True))
    assert ok.job_flows[0].cluster.cloudwatch_logs is not None


def test_fails_logs_on_a_job_flow_without_the_newer_request_fields() -> None:
    steps = [{"name": "s", "command": ["echo", "hi"]}]
    cluster = fleet_cluster(release_label="emr-7.11.0", steps=steps, monitoring={"logs": {}})
    with pytest.raises(ValueError, match=r"(?s)cluster\.monitoring\.logs.*Fix: set newer_request_fields: true"):
        AppConfig.model_validate(_app(cluster))


def test_fails_alarms_on_a_job_flow() -> None:
    steps = [{"name": "s", "command": ["echo", "hi"]}]
    payload = _app(fleet_cluster(steps=steps, monitoring={"emails": ["a@example.com"]}))
    with pytest.raises(ValueError, match=r"(?s)job_flows\.0.*cluster\.monitoring\.emails.*long-running clusters"):
        AppConfig.model_validate(payload)
