"""Everything a cluster needs for the CloudWatch agent, in one call shared by ``EmrCluster`` and
``TransientJobFlow``: node-metrics permissions, the CloudWatch Logs group and its permissions, and the agent's
bootstrap action below emr-7.0.0."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.jobs import BootstrapAction
from emr_constructs.monitoring.logs import ClusterLogGroup, cluster_log_group
from emr_constructs.monitoring.node_metrics import grant_node_metrics, node_agent_bootstrap_action
from emr_constructs.spec import ClusterSpec


@dataclass(frozen=True)
class AgentWiring:
    """``policies`` must exist before the cluster starts; ``bootstrap_actions`` run before the spec's own."""

    policies: tuple[iam.ManagedPolicy, ...]
    cloudwatch_logs: ClusterLogGroup | None
    bootstrap_actions: tuple[BootstrapAction, ...]


def wire_cloudwatch_agent(
    scope: Construct, spec: ClusterSpec, instance_role: iam.IRole, *, log_group_name: str | None = None
) -> AgentWiring:
    """Node metrics (``spec.node_metrics``) and log delivery (``spec.monitoring.logs``, to ``log_group_name``,
    default ``/aws/emr/<cluster name>``) for the cluster of ``spec``; nothing when it asks for neither."""
    policies: list[iam.ManagedPolicy] = []
    metrics_policy = grant_node_metrics(scope, spec, instance_role)
    if metrics_policy is not None:
        policies.append(metrics_policy)
    logs = None
    if spec.cloudwatch_logs is not None:
        logs = cluster_log_group(
            scope,
            spec.cloudwatch_logs,
            log_group_name=log_group_name or f"/aws/emr/{spec.name}",
            instance_role=instance_role,
        )
        policies.append(logs.policy)
    action = node_agent_bootstrap_action(spec)
    return AgentWiring(tuple(policies), logs, (action,) if action is not None else ())
