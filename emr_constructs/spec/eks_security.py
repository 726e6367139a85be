"""The security configuration of an EMR on EKS virtual cluster (``AWS::EMRContainers::SecurityConfiguration``).

Shapes and limits from the resource's CloudFormation schema (``SecurityConfigurationData``: encryption at rest of
local disks with AWS KMS and of S3 data with SSE-S3, SSE-KMS or CSE-KMS; in-transit TLS with PEM certificates held
in Secrets Manager; Lake Formation authorization) and the EMR on EKS Development Guide ("Using Amazon EMR on EKS
with AWS Lake Formation for fine-grained access control": emr-7.7.0 and later, a system namespace of its own).
Every property but its tags is create-only: a change replaces the security configuration and so the virtual cluster.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from emr_constructs.spec.base import SpecModel

#: Secrets Manager secret ARNs (the PEM private key and certificate chain of in-transit TLS).
SECRET_ARN = r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$"
ROLE_ARN = r"^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::\d{12}:role/.+$"
#: LakeFormationConfiguration.AuthorizedSessionTagValue and SecureNamespaceInfo.Namespace (schema patterns).
SESSION_TAG_PATTERN = r"^[\.\-_/#A-Za-z0-9 ]+$"
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
#: Lake Formation with EMR on EKS: emr-7.7.0 and later (security_iam_fgac-lf).
LAKE_FORMATION_RELEASE = (7, 7, 0)


class EksTlsSpec(SpecModel):
    """In-transit encryption between Spark's pods with your PEM certificate: the private key and the certificate
    chain, each a Secrets Manager secret."""

    private_key_secret_arn: str = Field(pattern=SECRET_ARN)
    public_key_secret_arn: str = Field(pattern=SECRET_ARN)


class EksLakeFormationSpec(SpecModel):
    """Lake Formation fine-grained access: the session tag value Lake Formation trusts (set the same value under
    Application integration settings), the namespace of the system driver (not the jobs' namespace), and the query
    engine role the system driver assumes."""

    authorized_session_tag_value: str = Field(
        default="EMR on EKS Engine", min_length=1, max_length=256, pattern=SESSION_TAG_PATTERN
    )
    system_namespace: str = Field(min_length=1, max_length=63, pattern=DNS_LABEL)
    query_engine_role_arn: str = Field(min_length=20, max_length=2048, pattern=ROLE_ARN)


class EksSecuritySpec(SpecModel):
    """What the security configuration turns on.

    Defaults: local disks encrypted with a customer-managed KMS key, S3 data with SSE-KMS under a customer-managed
    key, no in-transit TLS certificate (``in_transit``), no Lake Formation (``lake_formation``).
    """

    local_disk_encryption: bool = True
    s3_encryption: Literal["SSE-S3", "SSE-KMS", "CSE-KMS"] = "SSE-KMS"
    in_transit: EksTlsSpec | None = None
    lake_formation: EksLakeFormationSpec | None = None
