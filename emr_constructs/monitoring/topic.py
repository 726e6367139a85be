"""SNS topics that AWS services publish to, encrypted with a customer-managed key they may use."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

#: Services that deliver to a monitoring topic: CloudWatch alarms and EventBridge rules. With the AWS-managed
#: ``aws/sns`` key their deliveries are dropped; a customer-managed key must admit them (Amazon SNS Developer
#: Guide, "Configuring AWS KMS permissions"; Amazon EventBridge User Guide, "Amazon SNS topics encrypted with a
#: customer managed key").
ALARM_AND_EVENT_PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com")


def encrypted_topic(
    scope: Construct, id: str, *, purpose: str, display_name: str, publishers: Sequence[str]
) -> tuple[sns.Topic, kms.Key]:
    """A TLS-only topic ``id`` encrypted with a new rotating key (``<id>Key``, RETAIN) that ``publishers`` (service
    principals) may use to publish; principals of the account reach the key through IAM only."""
    key = kms.Key(
        scope,
        f"{id}Key",
        description=f"Encrypts {purpose}",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowServicesToPublishToTheTopic",
            principals=[iam.ServicePrincipal(service) for service in publishers],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
        )
    )
    topic = sns.Topic(scope, id, master_key=key, enforce_ssl=True, display_name=display_name)
    return topic, key
