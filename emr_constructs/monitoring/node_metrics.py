"""What a cluster needs for node metrics: the instance role's permissions and, below emr-7.0.0, the agent's
bootstrap action (EMR Release Guide, "Amazon CloudWatch agent"; "Create an EMR cluster that uses Amazon
CloudWatch agent")."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.jobs import BootstrapAction
from emr_constructs.spec import ClusterSpec
from emr_constructs.spec.node_metrics import AGENT_BOOTSTRAP_ACTION, NAMESPACE

#: The agent installer for releases below 7.0, shipped inside the package.
AGENT_SCRIPT = Path(__file__).resolve().parent / "scripts" / "install-cloudwatch-agent.sh"


def grant_node_metrics(scope: Construct, spec: ClusterSpec, instance_role: iam.IRole) -> iam.ManagedPolicy | None:
    """Create ``NodeMetricsPolicy`` under ``scope`` on ``instance_role`` when ``spec`` has node metrics:
    ``cloudwatch:PutMetricData`` for the ``CWAgent`` namespace only, and ``aps:RemoteWrite`` on the Prometheus
    workspace when one is the destination. The cluster must depend on the returned policy."""
    metrics = spec.node_metrics
    if metrics is None:
        return None
    statements = [
        iam.PolicyStatement(
            sid="PublishNodeMetricsToCWAgentNamespace",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
        )
    ]
    workspace = metrics.prometheus_workspace()
    if workspace is not None:
        region, workspace_id = workspace
        stack = cdk.Stack.of(scope)
        statements.append(
            iam.PolicyStatement(
                sid="RemoteWriteNodeMetricsToPrometheus",
                actions=["aps:RemoteWrite"],
                resources=[
                    stack.format_arn(service="aps", region=region, resource="workspace", resource_name=workspace_id)
                ],
            )
        )
    policy = iam.ManagedPolicy(
        scope,
        "NodeMetricsPolicy",
        description="The CloudWatch agent on the cluster's nodes publishes node metrics.",
        roles=[instance_role],
        statements=statements,
    )
    cdk.Validations.of(policy.node.default_child or policy).acknowledge(
        cdk.Acknowledgment(
            id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            reason="cloudwatch:PutMetricData has no resource type, so it takes Resource '*'; the "
            f"cloudwatch:namespace condition limits it to the agent's '{NAMESPACE}' namespace.",
        )
    )
    return policy


def node_agent_bootstrap_action(spec: ClusterSpec) -> BootstrapAction | None:
    """The agent's bootstrap action for node metrics below emr-7.0.0 (from 7.0.0 EMR installs its own agent)."""
    if not spec.node_agent_bootstrap:
        return None
    return BootstrapAction.from_asset(str(AGENT_SCRIPT), name=AGENT_BOOTSTRAP_ACTION)
