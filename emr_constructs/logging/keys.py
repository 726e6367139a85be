"""KMS key policy statements for services that encrypt with a customer-managed key."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

#: What CloudWatch Logs needs on a key that encrypts log groups (CloudWatch Logs User Guide, "Encrypt log data
#: in CloudWatch Logs using AWS KMS").
CLOUDWATCH_LOGS_KEY_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
)


def retained_key(scope: Construct, id: str, description: str) -> kms.Key:
    """A new customer-managed key with yearly rotation, retained when its stack goes. Its default policy delegates
    to the account's IAM policies: principals of the account get access through IAM only."""
    return kms.Key(
        scope, id, description=description, enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN
    )


def admit_cloudwatch_logs(key: kms.IKey) -> None:
    """Let CloudWatch Logs use ``key`` for log groups of this account and region only (no-op on imported keys)."""
    stack = cdk.Stack.of(key)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchLogsForLogGroupsOfThisAccountAndRegion",
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
            actions=list(CLOUDWATCH_LOGS_KEY_ACTIONS),
            resources=["*"],
            conditions={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    )
                }
            },
        )
    )


#: What EMR Serverless needs on a key that encrypts job logs in S3 and in managed storage (EMR Serverless User
#: Guide, "Encrypting logs": "Encryption key permissions for Amazon S3 and managed storage").
EMR_SERVERLESS_LOG_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


def admit_emr_serverless(key: kms.IKey) -> bool:
    """Let EMR Serverless use ``key`` for the logs of the applications of the key's account and region
    (``aws:SourceArn`` ``.../applications/*``); False on an imported key, whose policy is not ours to change.

    The page suggests one application's ARN; an application's ARN exists only once it is created, and the
    application names the key, so naming the application in the key's policy would be a dependency cycle.
    """
    stack = cdk.Stack.of(key)
    applications = stack.format_arn(
        service="emr-serverless",
        resource="/applications",
        resource_name="*",
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )
    result = key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowEmrServerlessLogsOfApplicationsOfThisAccountAndRegion",
            principals=[iam.ServicePrincipal("emr-serverless.amazonaws.com")],
            actions=list(EMR_SERVERLESS_LOG_KEY_ACTIONS),
            resources=["*"],
            conditions={"ArnLike": {"aws:SourceArn": applications}},
        )
    )
    return bool(result.statement_added)
