"""``EmrSecurityConfiguration``: an ``AWS::EMR::SecurityConfiguration`` rendered from a ``SecuritySpec``."""

from __future__ import annotations

import json
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from emr_constructs.render.security_configuration import SecurityKeys, render_security_configuration
from emr_constructs.spec.security import SecuritySpec

#: What a KMS "key user" may do (AWS KMS Developer Guide, default key policy), spelled out so that no
#: wildcard action is granted: EMR asks the instance role and, for EBS encryption, the service role to be key users.
KEY_USER_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
#: Grants that EBS encryption creates for the volumes of the cluster's instances (key users' second statement).
KEY_GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")


def _new_key(scope: Construct, id: str, description: str) -> kms.Key:
    return kms.Key(
        scope, id, description=description, enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN
    )


class EmrSecurityConfiguration(Construct):
    """An EMR security configuration (construct id of the L1: ``Resource``), secure by default.

    Keys the spec leaves unset come from ``s3_data_key`` and ``local_disk_key``, or are created here (rotation
    on, RETAIN) when omitted and needed. ``grant_key_use`` gives the cluster's roles what EMR documents they
    need on those keys, through IAM policies (key policies are never edited, so keys may live in another
    stack). Any change of the document replaces the security configuration and with it the cluster.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: SecuritySpec,
        s3_data_key: kms.IKey | None = None,
        local_disk_key: kms.IKey | None = None,
        name: str | None = None,
    ) -> None:
        """Render ``spec`` into an ``AWS::EMR::SecurityConfiguration``.

        :param spec: the encryption, authentication and authorization settings (required).
        :param s3_data_key: the key of EMRFS SSE-KMS or CSE-KMS, used where the spec names no key ARN.
            Default: ``None``, a new key (rotation on, ``RemovalPolicy.RETAIN``) when the spec needs one.
        :param local_disk_key: the key of local-disk (and EBS) encryption, used where the spec names no key ARN.
            Default: ``None``, a new key (rotation on, ``RemovalPolicy.RETAIN``) when the spec needs one.
        :param name: the security configuration's name.
            Default: ``None``, a name CloudFormation generates.
        """
        super().__init__(scope, id)
        self.spec = spec
        self.s3_data_key: kms.IKey | None = None
        self.local_disk_key: kms.IKey | None = None
        if spec.s3_encryption.uses_data_key:
            self.s3_data_key = s3_data_key or _new_key(self, "S3DataKey", "EMRFS encryption of S3 data")
        if spec.local_disk_encryption.uses_local_disk_key:
            self.local_disk_key = local_disk_key or _new_key(self, "LocalDiskKey", "EMR local disk and EBS encryption")
        keys = SecurityKeys(
            s3_data=self.s3_data_key.key_arn if self.s3_data_key else None,
            local_disk=self.local_disk_key.key_arn if self.local_disk_key else None,
        )
        self.document = render_security_configuration(spec, keys)
        self.cfn_security_configuration = emr.CfnSecurityConfiguration(
            self, "Resource", security_configuration=self.document, name=name
        )

    @property
    def security_configuration_name(self) -> str:
        """The name to pass as the cluster's ``SecurityConfiguration`` (a token)."""
        return self.cfn_security_configuration.ref

    def grant_key_use(
        self,
        scope: Construct,
        *,
        instance_role: iam.IRole,
        service_role: iam.IRole,
        runtime_roles: Sequence[iam.IRole] = (),
    ) -> list[iam.ManagedPolicy]:
        """Managed policies (created under ``scope``) that let the roles use this configuration's keys.

        The instance role and the runtime roles are key users of the S3 data key (EMRFS) and of the local-disk
        key (nodes encrypt their disks), and of every key the spec names by ARN; the service role is a key
        user of the local-disk key and may create grants for AWS resources when EBS encryption is on (EMR
        Management Guide, "emr-encryption-enable").

        :param runtime_roles: the cluster's runtime roles, key users of the S3 data key.
            Default: ``()``, none.
        """
        given = self.spec.given_node_key_arns
        node_keys = [key.key_arn for key in (self.s3_data_key, self.local_disk_key) if key is not None] + given
        data_keys = ([self.s3_data_key.key_arn] if self.s3_data_key is not None else []) + given
        policies: list[iam.ManagedPolicy] = []
        if node_keys:
            policies.append(
                iam.ManagedPolicy(
                    scope,
                    "NodeKeyAccess",
                    description="EMR nodes use the cluster's S3 data and local-disk keys.",
                    statements=[iam.PolicyStatement(actions=list(KEY_USER_ACTIONS), resources=node_keys)],
                    roles=[instance_role],
                )
            )
        if data_keys and runtime_roles:
            policies.append(
                iam.ManagedPolicy(
                    scope,
                    "RuntimeRoleKeyAccess",
                    description="Steps under runtime roles read and write S3 data encrypted with the data key.",
                    statements=[iam.PolicyStatement(actions=list(KEY_USER_ACTIONS), resources=data_keys)],
                    roles=list(runtime_roles),
                )
            )
        if self.local_disk_key is not None and self.spec.local_disk_encryption.ebs_encryption:
            key_arn = self.local_disk_key.key_arn
            policies.append(
                iam.ManagedPolicy(
                    scope,
                    "EbsEncryptionKeyAccess",
                    description="The EMR service role encrypts the cluster's EBS volumes with the local-disk key.",
                    statements=[
                        iam.PolicyStatement(actions=list(KEY_USER_ACTIONS), resources=[key_arn]),
                        iam.PolicyStatement(
                            actions=list(KEY_GRANT_ACTIONS),
                            resources=[key_arn],
                            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
                        ),
                    ],
                    roles=[service_role],
                )
            )
        return policies

    def to_json(self) -> str:
        """The document as CloudFormation will see it (tokens resolved in this stack), for review and tests."""
        return json.dumps(cdk.Stack.of(self).resolve(self.document), sort_keys=True)
