"""The job flow's encrypted outcome topic and its encrypted execution log group, each with its own key."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from emr_constructs.logging.keys import admit_cloudwatch_logs, retained_key
from emr_constructs.monitoring.topic import encrypted_topic

#: How long the state machine's execution logs are kept (an explicit retention, as the policy packs require).
EXECUTION_LOG_RETENTION = logs.RetentionDays.ONE_YEAR


def outcome_topic(
    scope: Construct,
    id: str,
    *,
    purpose: str = "the outcome notifications of an EMR transient job flow",
    display_name: str = "EMR transient job flow",
    publishers: tuple[str, ...] = ("events.amazonaws.com",),
) -> tuple[sns.Topic, kms.Key]:
    """A TLS-only topic encrypted with a new customer-managed key that ``publishers`` (default: EventBridge) may also
    publish with (for example rules on EMR state changes; admit them to the topic policy with
    ``emr_constructs.monitoring.topic.admit_rules``). The state machine publishes through its execution role: the
    key policy delegates to IAM, and the topic policy (TLS-only) denies nothing it sends."""
    return encrypted_topic(
        scope,
        id,
        purpose=purpose,
        display_name=display_name,
        publishers=publishers,
    )


def execution_log_group(
    scope: Construct, id: str, *, purpose: str = "the execution logs of an EMR transient job flow"
) -> tuple[logs.LogGroup, kms.Key]:
    """A log group (RETAIN, one year) encrypted with a new key that only CloudWatch Logs may use, and only for
    this account's log groups (CloudWatch Logs User Guide, "Encrypt log data using AWS KMS")."""
    key = retained_key(scope, f"{id}Key", f"Encrypts {purpose}")
    admit_cloudwatch_logs(key)
    group = logs.LogGroup(
        scope,
        id,
        encryption_key=key,
        retention=EXECUTION_LOG_RETENTION,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    return group, key
