"""The opt-in account baseline stack: EMR block public access, one setting per account and Region."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from emr_constructs.baseline import EmrBlockPublicAccess
from emr_constructs.baseline.block_public_access import AWS_CUSTOM_RESOURCE_PROVIDER_ID, PUT_ACTION
from emr_constructs.spec.baseline import AccountBaselineSpec

__all__ = ["AWS_CUSTOM_RESOURCE_PROVIDER_ID", "PUT_ACTION", "AccountBaselineStack"]


class AccountBaselineStack(cdk.Stack):
    """EMR block public access (``EmrBlockPublicAccess``) for the stack's account and Region from ``baseline``, and
    optionally the Glue Data Catalog's encryption.

    ``baseline.enabled`` must be true; the app builder creates this stack only then. Deploy one per account and
    Region. ``log_retention`` (default one year) keeps the custom resource function's logs.

    The block public access construct has the id ``Default``, which CDK leaves out of logical ids: its resources
    keep the logical ids they had when this stack created them directly (no replacement on upgrade).
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
        self.block_public_access = EmrBlockPublicAccess(
            self,
            "Default",
            block_public_security_group_rules=baseline.block_public_security_group_rules,
            permitted_public_port_ranges=baseline.effective_port_ranges,
            log_retention=log_retention,
        )
        self.log_key = self.block_public_access.log_key
        self.log_group = self.block_public_access.log_group
        cdk.CfnOutput(
            self,
            "BlockPublicAccessConfiguration",
            value=json.dumps(self.block_public_access.configuration, separators=(",", ":")),
            description="The EMR block public access configuration this stack sets",
        )

    @property
    def provider_function(self) -> lambda_.CfnFunction:
        """The L1 function of AwsCustomResource's singleton provider (shared by all in this stack)."""
        return self.block_public_access.provider_function


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
