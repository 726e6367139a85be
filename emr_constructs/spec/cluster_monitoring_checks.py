"""The checks of a cluster's node metrics and monitoring (called from ``ClusterSpec``'s validator), and the idle
alarm against auto-termination (called for long-running clusters by ``AppConfig``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emr_constructs.spec import capabilities as cap
from emr_constructs.spec.cluster_checks import gate
from emr_constructs.spec.jobs import MAX_BOOTSTRAP_ACTIONS
from emr_constructs.spec.node_metrics import AGENT_BOOTSTRAP_ACTION
from emr_constructs.spec.problems import ProblemCollector

if TYPE_CHECKING:
    from emr_constructs.spec.cluster import ClusterSpec


def check_node_metrics(spec: ClusterSpec, problems: ProblemCollector) -> None:
    metrics = spec.node_metrics
    if metrics is None:
        return
    if not cap.CLOUDWATCH_AGENT.supported(spec.release_label):
        gate(spec, problems, "node_metrics", "a bootstrap-installed agent", cap.NODE_AGENT_BOOTSTRAP)
    if metrics.needs_configuration_api and not cap.CLOUDWATCH_AGENT_CONFIGURATION.supported(spec.release_label):
        changed = [
            name
            for name, on in (
                ("application_metrics", bool(metrics.application_metrics)),
                ("prometheus_endpoint", metrics.prometheus_endpoint is not None),
                ("system_metrics", not metrics.system_metrics),
            )
            if on
        ]
        problems.add(
            f"node_metrics.{changed[0]}",
            changed,
            f"{cap.CLOUDWATCH_AGENT_CONFIGURATION.name} needs "
            f"{cap.CLOUDWATCH_AGENT_CONFIGURATION.requirement()}; on {spec.release_label} the agent publishes its "
            "default system metrics only",
            f"use emr-7.1.0 or later, or remove {', '.join(changed)} (see {cap.CLOUDWATCH_AGENT_CONFIGURATION.source})",
        )
    if spec.node_agent_bootstrap and len(spec.bootstrap_actions) >= MAX_BOOTSTRAP_ACTIONS:
        problems.add(
            "bootstrap_actions",
            len(spec.bootstrap_actions),
            f"node metrics below emr-7.0.0 add the agent's bootstrap action, and EMR runs at most "
            f"{MAX_BOOTSTRAP_ACTIONS}",
            f"list at most {MAX_BOOTSTRAP_ACTIONS - 1} bootstrap actions, or use emr-7.0.0+ (EMR's own agent)",
        )
    for index, action in enumerate(spec.bootstrap_actions):
        if spec.node_agent_bootstrap and action.name == AGENT_BOOTSTRAP_ACTION:
            problems.add(
                f"bootstrap_actions[{index}].name",
                action.name,
                "this name is reserved for the node metrics agent's bootstrap action",
                "rename the bootstrap action",
            )
    installed = {app.name for app in spec.applications}
    for daemon, application in metrics.required_applications().items():
        if application not in installed:
            problems.add(
                f"node_metrics.application_metrics.{daemon}",
                daemon,
                f"{daemon} metrics come from {application}, which is not installed",
                f"add {application} to applications or remove {daemon}",
            )


def check_monitoring(spec: ClusterSpec, problems: ProblemCollector) -> None:
    logs = spec.monitoring.logs if spec.monitoring is not None else None
    if logs is not None:
        gate(spec, problems, "monitoring.logs", "CloudWatch Logs", cap.CLOUDWATCH_LOGS_DELIVERY)


def idle_alarm_problem(spec: ClusterSpec, problems: ProblemCollector, path: str) -> None:
    """For a long-running cluster with alarms: an idle alarm slower than auto-termination can never fire."""
    idle_seconds = spec.auto_termination_idle_seconds
    if spec.monitoring is None or idle_seconds is None:
        return
    enabled, _, minutes = spec.monitoring.alarm("idle")
    if enabled and minutes * 60 >= idle_seconds:
        problems.add(
            f"{path}.monitoring.alarms.idle.minutes",
            minutes,
            f"the idle alarm can never fire: the cluster terminates itself after {idle_seconds // 60} idle "
            "minutes (auto_termination_idle_seconds)",
            "set monitoring.alarms.idle.enabled: false (auto-termination already ends idle time), or "
            f"minutes below {idle_seconds // 60}",
        )
