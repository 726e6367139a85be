"""The opt-in account baseline stack: EMR block public access, one setting per account and Region."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from emr_constructs.lint_suppressions import ignore_cfn_lint
from emr_constructs.logging.keys import admit_cloudwatch_logs
from emr_constructs.spec.baseline import AccountBaselineSpec, emr_default_block_public_access_configuration

# The id under which AwsCustomResource keeps its singleton Lambda function, at the stack level.
AWS_CUSTOM_RESOURCE_PROVIDER_ID = "AWS679f53fac002430cb0da5b7982bd2287"
PUT_ACTION = "elasticmapreduce:PutBlockPublicAccessConfiguration"


class AccountBaselineStack(cdk.Stack):
    """Sets EMR block public access (BPA) for the stack's account and Region from ``baseline``.

    BPA is a single setting per account and Region that no CloudFormation resource type covers, so a
    ``Custom::AWS`` resource (``AwsCustomResource``) calls ``PutBlockPublicAccessConfiguration`` on create and on
    every update, with a fixed physical id (``emr-block-public-access-<account>-<region>``): an update never
    replaces the resource, so CloudFormation never runs a delete for an old one after setting the new value.

    On delete (stack deletion, or removing the resource) it restores EMR's documented default rather than the
    value it found: blocking on, port 22 the only exception. EMR has no "unset", the value before the first
    deploy is not known at synth, and the default is the secure state EMR gives new accounts; an account that
    had blocking off before this stack (created EMR clusters before November 2019) has it on afterwards.

    Deploy one per account and Region: two stacks (or two apps) managing the same setting overwrite each other.
    ``baseline.enabled`` must be true; the app builder creates this stack only then.

    ``log_retention`` (default one year) keeps the custom resource function's logs, in a log group encrypted with
    a key of this stack; both are retained when the stack is deleted (the default for logs and keys).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        baseline: AccountBaselineSpec,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        **kwargs: Any,
    ) -> None:
        if not baseline.enabled:
            raise ValueError(
                "AccountBaselineStack: baseline.enabled is false (got AccountBaselineSpec(enabled=False)). "
                "Fix: set account_baseline.enabled: true, or do not create this stack"
            )
        super().__init__(scope, id, **kwargs)
        self.baseline = baseline
        self.glue_catalog_key: kms.Key | None = None
        if baseline.glue_catalog_encryption:
            self.glue_catalog_key = _encrypt_glue_catalog(self)
        self.log_key = kms.Key(
            self,
            "LogKey",
            description="Encrypts the log group of the EMR block public access custom resource",
            enable_key_rotation=True,
        )
        admit_cloudwatch_logs(self.log_key)
        self.log_group = logs.LogGroup(self, "LogGroup", encryption_key=self.log_key, retention=log_retention)
        physical_id = cr.PhysicalResourceId.of(f"emr-block-public-access-{self.account}-{self.region}")
        apply = _put_call(baseline.block_public_access_configuration(), physical_id)
        self.block_public_access = cr.AwsCustomResource(
            self,
            "BlockPublicAccess",
            on_create=apply,
            on_update=apply,
            on_delete=_put_call(emr_default_block_public_access_configuration(), physical_id),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        sid="PutEmrBlockPublicAccess",
                        actions=[PUT_ACTION],
                        # The action has no resource type: it acts on the account's setting in this Region.
                        resources=["*"],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
            log_group=self.log_group,
            service_timeout=cdk.Duration.minutes(5),
        )
        self._acknowledge_findings()
        cdk.CfnOutput(
            self,
            "BlockPublicAccessConfiguration",
            value=json.dumps(baseline.block_public_access_configuration(), separators=(",", ":")),
            description="The EMR block public access configuration this stack sets",
        )

    @property
    def provider_function(self) -> lambda_.CfnFunction:
        """The L1 function of AwsCustomResource's singleton provider (shared by all in this stack)."""
        provider = self.node.try_find_child(AWS_CUSTOM_RESOURCE_PROVIDER_ID)
        function = provider.node.default_child if provider is not None else None
        if not isinstance(function, lambda_.CfnFunction):
            raise LookupError(f"AwsCustomResource provider {AWS_CUSTOM_RESOURCE_PROVIDER_ID} not found")
        return function

    def _acknowledge_findings(self) -> None:
        """Acknowledge the policy findings that do not apply, each on the construct it names."""
        function = self.provider_function
        role = self.node.find_child(AWS_CUSTOM_RESOURCE_PROVIDER_ID).node.try_find_child("ServiceRole")
        policy = self.block_public_access.node.try_find_child("CustomResourcePolicy")
        _acknowledge(
            role,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "AwsCustomResource's provider role: aws-cdk-lib attaches AWSLambdaBasicExecutionRole (CloudWatch "
            "Logs writes only) and offers no prop to replace it with a customer-managed policy",
        )
        _acknowledge(
            policy,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            f"{PUT_ACTION} has no resource type (it sets the account's EMR block public access in this Region), "
            "so IAM accepts only Resource *; the statement grants that single action and nothing else",
        )
        dlq = (
            "CloudFormation invokes this custom-resource handler and waits for its answer at the response URL; "
            "the handler answers FAILED with the reason on every error and the resource's ServiceTimeout (5 "
            "minutes) bounds a lost invocation, so a dead-letter queue would hold nothing to act on"
        )
        outside_vpc = (
            "The handler calls only the EMR API and the CloudFormation response URL; this account-level stack "
            "has no VPC, and placing it in one would add endpoints or NAT for a call made once per deploy"
        )
        concurrency = (
            "CloudFormation invokes this handler once per create, update or delete of one resource; reserving "
            "concurrency would take from the account's unreserved pool and fails deployment in accounts whose "
            "Lambda concurrency quota is at its minimum"
        )
        inline = (
            "AwsCustomResource attaches its policy (the single EMR action) inline to its provider role and "
            "offers no prop to make it a managed policy; the policy belongs to this one role"
        )
        for pack in ("HIPAA.Security", "NIST.800.53.R5"):
            _acknowledge(function, f"{pack}::{pack}-LambdaDLQ", dlq)
            _acknowledge(function, f"{pack}::{pack}-LambdaInsideVPC", outside_vpc)
            _acknowledge(function, f"{pack}::{pack}-LambdaConcurrency", concurrency)
            _acknowledge(policy, f"{pack}::{pack}-IAMNoInlinePolicy", inline)
        # aws-cdk-lib adds DependsOn <role> to the provider function although its Role property already
        # references the role (W3005); harmless, and not ours to change.
        ignore_cfn_lint(function, "W3005", "aws-cdk-lib's own DependsOn on the provider function's role")


def _put_call(configuration: dict[str, Any], physical_id: cr.PhysicalResourceId) -> cr.AwsSdkCall:
    return cr.AwsSdkCall(
        service="EMR",
        action="putBlockPublicAccessConfiguration",
        parameters={"BlockPublicAccessConfiguration": configuration},
        physical_resource_id=physical_id,
    )


def _acknowledge(scope: IConstruct | None, rule_id: str, reason: str) -> None:
    if scope is None:
        raise LookupError(f"no construct to acknowledge {rule_id} on")
    target = scope.node.default_child or scope
    cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


def _encrypt_glue_catalog(stack: cdk.Stack) -> kms.Key:
    """Encrypt the Data Catalog of this account and Region (metadata and connection passwords) with a new key.

    Glue encrypts and decrypts with the caller's credentials, so every role that reads the catalog needs the key
    (AWS Glue Developer Guide, "Encrypting your Data Catalog"); the cluster stacks grant it to their catalog
    users through IAM.
    """
    key = kms.Key(
        stack,
        "GlueCatalogKey",
        description="Encrypts the Glue Data Catalog of this account and Region (metadata and connection passwords)",
        enable_key_rotation=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    glue.CfnDataCatalogEncryptionSettings(
        stack,
        "GlueCatalogEncryption",
        catalog_id=stack.account,
        data_catalog_encryption_settings=glue.CfnDataCatalogEncryptionSettings.DataCatalogEncryptionSettingsProperty(
            encryption_at_rest=glue.CfnDataCatalogEncryptionSettings.EncryptionAtRestProperty(
                catalog_encryption_mode="SSE-KMS", sse_aws_kms_key_id=key.key_arn
            ),
            connection_password_encryption=glue.CfnDataCatalogEncryptionSettings.ConnectionPasswordEncryptionProperty(
                return_connection_password_encrypted=True, kms_key_id=key.key_arn
            ),
        ),
    )
    return key
