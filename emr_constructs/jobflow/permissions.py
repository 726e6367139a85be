"""The state machine's IAM statements, written out (least privilege; no CDK grant adds anything behind them).

Sources: Step Functions Developer Guide, "IAM policies for Amazon EMR" (addStep and terminateCluster, with the
EventBridge managed rules that their ``.sync`` needs; the cluster is created with the AWS SDK integration
``aws-sdk:emr:runJobFlow`` and polled with ``aws-sdk:emr:describeCluster``, whose IAM actions are the API's own,
RunJobFlow and DescribeCluster: "Step Functions can't autogenerate IAM policies for AWS SDK integrations") and
"Logging using CloudWatch Logs" (log delivery actions); X-Ray Developer Guide (the tracing daemon actions); EMR
Management Guide, "AmazonEMRFullAccessPolicy_v2" (PassRole conditioned on ``iam:PassedToService``), "Using
service-linked roles for cleanup" (AWSServiceRoleForEMRCleanup) and "Runtime roles for Amazon EMR steps"
(``elasticmapreduce:ExecutionRoleArn``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.iam.roles import APPLICATION_AUTO_SCALING_SERVICE, EC2_SERVICE, EMR_SERVICE

#: EventBridge rules that Step Functions manages to learn when a ``.sync`` EMR call has finished: only those of the
#: two ``.sync`` integrations used (creating the cluster is a request-response call, so no RunJobFlow rule).
SYNC_RULES = (
    "StepFunctionsGetEventForEMRAddJobFlowStepsRule",
    "StepFunctionsGetEventForEMRTerminateJobFlowsRule",
)
SYNC_RULE_ACTIONS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")

#: Vended log delivery to CloudWatch Logs; none of these actions has a resource type.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)
#: X-Ray tracing; none of these actions has a resource type either.
TRACING_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
#: What publishing to a KMS-encrypted topic needs on its key (SNS Developer Guide, "Encryption at rest").
TOPIC_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")

#: Every action on the job flow's own cluster, which carries the job flow tag from its creation: DescribeCluster
#: for the wait loop and terminateCluster.sync, TerminateJobFlows, and DescribeStep/CancelSteps for addStep.sync.
OWN_CLUSTER_ACTIONS = (
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:TerminateJobFlows",
    "elasticmapreduce:DescribeStep",
    "elasticmapreduce:CancelSteps",
)


@dataclass(frozen=True)
class StateMachineAccess:
    """What the statements name: the cluster roles, the job flow tag, the topic and its key."""

    service_role_arn: str
    instance_role_arn: str
    auto_scaling_role_arn: str | None
    job_flow_tag_key: str
    job_flow_tag_value: str
    topic_arn: str
    topic_key_arn: str
    execution_role_arns: Sequence[str] = ()


def state_machine_role(scope: Construct, id: str, *, description: str) -> iam.Role:
    """A role Step Functions may assume for this account's state machines only (``aws:SourceAccount`` and
    ``aws:SourceArn``), with no permission of its own: the caller attaches exactly what its state machine does."""
    stack = cdk.Stack.of(scope)
    return iam.Role(
        scope,
        id,
        assumed_by=iam.ServicePrincipal("states.amazonaws.com").with_conditions(
            {
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(
                        service="states",
                        resource="stateMachine",
                        resource_name="*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    )
                },
            }
        ),
        description=description,
    )


def cluster_arn_pattern(stack: cdk.Stack) -> str:
    """``arn:<partition>:elasticmapreduce:<region>:<account>:cluster/*``: cluster ids exist only at run time."""
    return stack.format_arn(service="elasticmapreduce", resource="cluster", resource_name="*")


def state_machine_statements(stack: cdk.Stack, access: StateMachineAccess) -> list[iam.PolicyStatement]:
    """Every statement the state machine's role needs, each with a ``Sid`` that says what it is for."""
    clusters = cluster_arn_pattern(stack)
    own_cluster = {
        "StringEquals": {f"elasticmapreduce:ResourceTag/{access.job_flow_tag_key}": access.job_flow_tag_value}
    }
    add_steps_conditions: dict[str, dict[str, object]] = {"StringEquals": dict(own_cluster["StringEquals"])}
    if access.execution_role_arns:
        add_steps_conditions["StringEquals"]["elasticmapreduce:ExecutionRoleArn"] = list(
            dict.fromkeys(access.execution_role_arns)
        )
    statements = [
        iam.PolicyStatement(sid="CreateCluster", actions=["elasticmapreduce:RunJobFlow"], resources=["*"]),
        # AmazonEMRServicePolicy_v2 acts only on clusters tagged for it; tagging at creation needs AddTags.
        iam.PolicyStatement(sid="TagClusterAtCreation", actions=["elasticmapreduce:AddTags"], resources=[clusters]),
        iam.PolicyStatement(
            sid="ManageOwnCluster", actions=list(OWN_CLUSTER_ACTIONS), resources=[clusters], conditions=own_cluster
        ),
        iam.PolicyStatement(
            sid="AddStepsToOwnCluster",
            actions=["elasticmapreduce:AddJobFlowSteps"],
            resources=[clusters],
            conditions=add_steps_conditions,
        ),
        iam.PolicyStatement(
            sid="PassServiceRoleToEmr",
            actions=["iam:PassRole"],
            resources=[access.service_role_arn],
            conditions={"StringLike": {"iam:PassedToService": f"{EMR_SERVICE}*"}},
        ),
        iam.PolicyStatement(
            sid="PassInstanceRoleToEc2",
            actions=["iam:PassRole"],
            resources=[access.instance_role_arn],
            conditions={"StringLike": {"iam:PassedToService": f"{EC2_SERVICE}*"}},
        ),
    ]
    if access.auto_scaling_role_arn is not None:
        statements.append(
            iam.PolicyStatement(
                sid="PassAutoScalingRoleToApplicationAutoScaling",
                actions=["iam:PassRole"],
                resources=[access.auto_scaling_role_arn],
                conditions={"StringLike": {"iam:PassedToService": f"{APPLICATION_AUTO_SCALING_SERVICE}*"}},
            )
        )
    emr_service = f"elasticmapreduce.{cdk.Aws.URL_SUFFIX}"
    statements += [
        iam.PolicyStatement(
            sid="CreateEmrCleanupServiceLinkedRole",
            actions=["iam:CreateServiceLinkedRole"],
            resources=[
                f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/{emr_service}/"
                "AWSServiceRoleForEMRCleanup"
            ],
            conditions={"StringEquals": {"iam:AWSServiceName": emr_service}},
        ),
        iam.PolicyStatement(
            sid="ManagedRulesForSyncIntegrations",
            actions=list(SYNC_RULE_ACTIONS),
            resources=[stack.format_arn(service="events", resource="rule", resource_name=rule) for rule in SYNC_RULES],
        ),
        iam.PolicyStatement(sid="PublishOutcome", actions=["sns:Publish"], resources=[access.topic_arn]),
        iam.PolicyStatement(sid="EncryptOutcome", actions=list(TOPIC_KEY_ACTIONS), resources=[access.topic_key_arn]),
        iam.PolicyStatement(sid="DeliverExecutionLogs", actions=list(LOG_DELIVERY_ACTIONS), resources=["*"]),
        iam.PolicyStatement(sid="Tracing", actions=list(TRACING_ACTIONS), resources=["*"]),
    ]
    return statements
