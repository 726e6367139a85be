"""What a virtual cluster's jobs need, in one customer-managed policy on the execution role: their logs (S3 prefix
and log group, "Configure a job run to use Amazon S3 logs" and "... CloudWatch Logs" of the EMR on EKS Development
Guide), the keys of the security configuration and of the logs, and the in-transit TLS secrets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from emr_constructs.iam import acknowledge_resource_finding

if TYPE_CHECKING:
    from emr_constructs.eks.virtual_cluster import EmrVirtualCluster

KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey")


def job_access_policy(cluster: EmrVirtualCluster, *, log_bucket: s3.IBucket) -> iam.ManagedPolicy:
    """The policy, attached to ``cluster.execution_role``, with its IAM5 findings acknowledged one by one."""
    spec = cluster.spec
    objects = log_bucket.arn_for_objects(f"{cluster.log_prefix}/*")
    streams = cluster.log_group.log_group_arn  # ends in ":*": the group's streams
    log_groups = cdk.Stack.of(cluster).format_arn(
        service="logs", resource="log-group", resource_name="*", arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME
    )
    keys = [cluster.log_key.key_arn] + [k.key_arn for k in (cluster.local_disk_key, cluster.s3_key) if k is not None]
    statements = [
        iam.PolicyStatement(sid="WriteS3Logs", actions=["s3:PutObject", "s3:GetObject"], resources=[objects]),
        iam.PolicyStatement(
            sid="WriteLogGroup",
            actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            resources=[streams],
        ),
        iam.PolicyStatement(sid="FindLogGroup", actions=["logs:DescribeLogGroups"], resources=[log_groups]),
        iam.PolicyStatement(sid="UseKeys", actions=list(KEY_ACTIONS), resources=list(dict.fromkeys(keys))),
    ]
    tls = spec.security.in_transit
    if tls is not None:
        statements.append(
            iam.PolicyStatement(
                sid="ReadTlsCertificates",
                actions=["secretsmanager:GetSecretValue"],
                resources=[tls.private_key_secret_arn, tls.public_key_secret_arn],
            )
        )
    policy = iam.ManagedPolicy(
        cluster,
        "JobAccess",
        description=f"EMR on EKS virtual cluster {spec.name}: its jobs write their logs and use its keys",
        roles=[cluster.execution_role],
        statements=statements,
    )
    target = policy.node.default_child or policy
    for resource, reason in (
        (
            objects,
            f"Jobs write log files of their own choosing under the prefix '{cluster.log_prefix}/' and nowhere else "
            "in the bucket; the object names are not known in advance.",
        ),
        (
            streams,
            "Jobs create their own log streams (per job run, driver and executor) in this virtual cluster's log "
            "group only; the stream names are not known in advance.",
        ),
        (
            log_groups,
            "logs:DescribeLogGroups lists log groups by prefix and takes no single group; it reads names and "
            "settings only.",
        ),
    ):
        acknowledge_resource_finding(target, "AwsSolutions::AwsSolutions-IAM5", resource, reason=reason)
    return policy
