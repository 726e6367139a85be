"""``AWS::EMRContainers::SecurityConfiguration`` from an ``EksSecuritySpec``: plain data, one L1 call."""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import aws_emrcontainers as emrcontainers
from constructs import Construct

from emr_constructs.spec.eks_security import EksSecuritySpec

#: The resource's Name: 1-64 of ``[a-zA-Z0-9\-_]`` (CloudFormation schema).
NAME_LIMIT = 64


def security_configuration_name(virtual_cluster_name: str) -> str:
    """``<virtual cluster>-security`` in the characters the resource's name takes."""
    base = re.sub(r"[^a-zA-Z0-9_-]", "-", virtual_cluster_name)[: NAME_LIMIT - len("-security")]
    return f"{base}-security"


def security_configuration_data(
    spec: EksSecuritySpec, *, eks_cluster: str, local_disk_key_arn: str | None, s3_key_arn: str | None
) -> dict[str, Any]:
    """``SecurityConfigurationData`` in CloudFormation's shape. ``local_disk_key_arn`` is needed with local disk
    encryption, ``s3_key_arn`` with SSE-KMS and CSE-KMS."""
    at_rest: dict[str, Any] = {}
    if spec.local_disk_encryption:
        assert local_disk_key_arn is not None
        at_rest["LocalDiskEncryptionConfiguration"] = {
            "EncryptionKeyProviderType": "AwsKms",
            "AwsKmsKeyId": local_disk_key_arn,
        }
    s3: dict[str, Any] = {"EncryptionOption": spec.s3_encryption}
    if spec.s3_encryption != "SSE-S3":
        assert s3_key_arn is not None
        s3["KMSKeyId"] = s3_key_arn
    at_rest["S3EncryptionConfiguration"] = s3
    encryption: dict[str, Any] = {"AtRestEncryptionConfiguration": at_rest}
    if spec.in_transit is not None:
        encryption["InTransitEncryptionConfiguration"] = {
            "TLSCertificateConfiguration": {
                "CertificateProviderType": "PEM",
                "PrivateKeySecretArn": spec.in_transit.private_key_secret_arn,
                "PublicKeySecretArn": spec.in_transit.public_key_secret_arn,
            }
        }
    data: dict[str, Any] = {"EncryptionConfiguration": encryption}
    lake_formation = spec.lake_formation
    if lake_formation is not None:
        data["AuthorizationConfiguration"] = {
            "LakeFormationConfiguration": {
                "AuthorizedSessionTagValue": lake_formation.authorized_session_tag_value,
                "SecureNamespaceInfo": {"ClusterId": eks_cluster, "Namespace": lake_formation.system_namespace},
                "QueryEngineRoleArn": lake_formation.query_engine_role_arn,
            }
        }
    return data


def security_configuration(
    scope: Construct, id: str, *, name: str, data: dict[str, Any]
) -> emrcontainers.CfnSecurityConfiguration:
    """The L1, its data handed over as CloudFormation's own JSON in one call (the typed structs would take a
    round trip per field)."""
    resource = emrcontainers.CfnSecurityConfiguration(scope, id, name=name, security_configuration_data={})
    resource.add_property_override("SecurityConfigurationData", data)
    return resource
