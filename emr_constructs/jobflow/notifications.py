"""The job flow's encrypted outcome topic and its encrypted execution log group, each with its own key."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from emr_constructs.logging.keys import admit_cloudwatch_logs

#: How long the state machine's execution logs are kept (an explicit retention, as the policy packs require).
EXECUTION_LOG_RETENTION = logs.RetentionDays.ONE_YEAR

#: What a service needs to encrypt for, and decrypt from, a key (no wildcard action).
_SERVICE_KEY_ACTIONS = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
)


def _key(scope: Construct, id: str, description: str) -> kms.Key:
    # The default key policy delegates to the account's IAM policies: principals of this account (the
    # state machine's role among them) get key access through IAM only, never through the key policy.
    return kms.Key(
        scope, id, description=description, enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN
    )


def outcome_topic(scope: Construct, id: str) -> tuple[sns.Topic, kms.Key]:
    """A TLS-only topic encrypted with a new customer-managed key that EventBridge may also publish with."""
    key = _key(scope, f"{id}Key", "Encrypts the outcome notifications of an EMR transient job flow")
    # EventBridge rules (for example on EMR state changes) may target the topic; EventBridge then needs the
    # key (Amazon EventBridge User Guide, "Amazon SNS topics encrypted with a customer managed key").
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowEventBridgeToPublish",
            principals=[iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
        )
    )
    topic = sns.Topic(scope, id, master_key=key, enforce_ssl=True, display_name="EMR transient job flow")
    return topic, key


def execution_log_group(scope: Construct, id: str) -> tuple[logs.LogGroup, kms.Key]:
    """A log group (RETAIN, one year) encrypted with a new key that only CloudWatch Logs may use, and only for
    this account's log groups (CloudWatch Logs User Guide, "Encrypt log data using AWS KMS")."""
    key = _key(scope, f"{id}Key", "Encrypts the execution logs of an EMR transient job flow")
    admit_cloudwatch_logs(key)
    group = logs.LogGroup(
        scope,
        id,
        encryption_key=key,
        retention=EXECUTION_LOG_RETENTION,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    return group, key
