"""Step and Spark logs to CloudWatch Logs through EMR's CloudWatch agent (emr-7.11.0+; EMR Management Guide,
"Publish Amazon EMR logs to CloudWatch Logs"): the encrypted log group and what the nodes need to write to it."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.logging.keys import admit_cloudwatch_logs
from emr_constructs.render.fields import Rendered
from emr_constructs.spec import CloudWatchLogsSpec

#: What the agent does with the log group (the same page, "Permissions"): create its streams and write them;
#: it also checks and creates the group and its retention, which here exist already.
_GROUP_ACTIONS = (
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:DescribeLogStreams",
    "logs:CreateLogGroup",
    "logs:PutRetentionPolicy",
)

#: CloudWatch Logs' retention periods (the values ``CloudWatchLogsSpec.retention_days`` allows) as CDK's enum.
RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


@dataclass(frozen=True)
class ClusterLogGroup:
    group: logs.LogGroup
    key: kms.Key
    policy: iam.ManagedPolicy
    monitoring_configuration: Rendered


def cluster_log_group(
    scope: Construct, spec: CloudWatchLogsSpec, *, log_group_name: str, instance_role: iam.IRole
) -> ClusterLogGroup:
    """``CloudWatchLogs`` (RETAIN, ``spec.retention_days``) encrypted with ``CloudWatchLogsKey`` (RETAIN, rotating,
    usable by CloudWatch Logs for this account's groups only), ``CloudWatchLogsAccess`` for the instance role,
    and the rendered ``MonitoringConfiguration``."""
    key = kms.Key(
        scope,
        "CloudWatchLogsKey",
        description=f"Encrypts the EMR step and application logs in {log_group_name}",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    admit_cloudwatch_logs(key)
    group = logs.LogGroup(
        scope,
        "CloudWatchLogs",
        log_group_name=log_group_name,
        encryption_key=key,
        retention=RETENTION[spec.retention_days],
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    stack = cdk.Stack.of(scope)
    all_groups = stack.format_arn(
        service="logs", resource="log-group", resource_name="*", arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME
    )
    policy = iam.ManagedPolicy(
        scope,
        "CloudWatchLogsAccess",
        description="The CloudWatch agent on the cluster's nodes writes step and application logs to its log group.",
        roles=[instance_role],
        statements=[
            iam.PolicyStatement(
                sid="WriteToTheClusterLogGroup",
                actions=list(_GROUP_ACTIONS),
                resources=[group.log_group_arn, f"{group.log_group_arn}:*"],
            ),
            iam.PolicyStatement(sid="FindTheLogGroup", actions=["logs:DescribeLogGroups"], resources=[all_groups]),
        ],
    )
    target = policy.node.default_child
    assert target is not None
    acknowledge_resource_finding(
        target,
        "AwsSolutions::AwsSolutions-IAM5",
        f"{group.log_group_arn}:*",
        reason="The agent names the log streams in the cluster's own log group after step and container ids, "
        "which exist only at run time; nothing outside that group.",
    )
    acknowledge_resource_finding(
        target,
        "AwsSolutions::AwsSolutions-IAM5",
        all_groups,
        reason="logs:DescribeLogGroups lists groups by name prefix and takes no single-group resource; it reads "
        "names and settings only.",
    )
    configuration: Rendered = {
        "CloudWatchLogConfiguration": {
            "Enabled": True,
            "LogGroupName": group.log_group_name,
            "EncryptionKeyArn": key.key_arn,
            "LogTypes": {log_type: list(streams) for log_type, streams in spec.log_types.items()},
        }
    }
    return ClusterLogGroup(group, key, policy, configuration)
