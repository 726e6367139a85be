"""Security settings of a cluster: encryption at rest and in transit, Kerberos, IMDS, authorization.

Rendered into one ``AWS::EMR::SecurityConfiguration`` (EMR Management Guide,
"emr-create-security-configuration.html"). Defaults are secure: SSE-KMS for EMRFS, KMS-encrypted local disks
with EBS encryption, TLS in transit with EMR-managed certificates where the release has them, IMDSv2 with a
hop limit of 1. Keys left unset are supplied by the construct (the stack's data and local-disk keys).
Release gates are checked by ``ClusterSpec``, which knows the release.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.kerberos import (
    KerberosSpec,
)
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.tokens import TOKENS_ALLOWED

S3_URI = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+"
# Key ARNs, not alias ARNs: the roles' IAM policies must name the key itself to be allowed to use it.
KMS_KEY_ARN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$"
IAM_ROLE_ARN = r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$"
JAVA_CLASS = r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$"
BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


class CustomProviderSpec(SpecModel):
    """A custom key or certificate provider: a JAR in S3 and the Java class it implements."""

    s3_uri: Annotated[str, Field(pattern=S3_URI), TOKENS_ALLOWED]
    provider_class: str = Field(pattern=JAVA_CLASS)


class S3EncryptionOverrideSpec(SpecModel):
    """A per-bucket EMRFS encryption mode. ``kms_key_arn`` defaults to the cluster's S3 data key."""

    bucket: Annotated[str, Field(pattern=BUCKET_NAME), TOKENS_ALLOWED]
    mode: Literal["SSE-S3", "SSE-KMS", "CSE-KMS"]
    kms_key_arn: Annotated[str, Field(pattern=KMS_KEY_ARN), TOKENS_ALLOWED] | None = None

    @model_validator(mode="after")
    def _check(self) -> S3EncryptionOverrideSpec:
        if self.mode == "SSE-S3" and self.kms_key_arn is not None:
            problems = ProblemCollector(self)
            problems.add("kms_key_arn", self.kms_key_arn, "SSE-S3 takes no KMS key", "remove kms_key_arn")
            problems.raise_if_any()
        return self


class S3EncryptionSpec(SpecModel):
    """EMRFS encryption of S3 data. Default: SSE-KMS with the cluster's S3 data key.

    CSE-Custom needs ``custom_provider``; SSE-KMS and CSE-KMS take ``kms_key_arn`` (default: the data key).
    """

    mode: Literal["SSE-S3", "SSE-KMS", "CSE-KMS", "CSE-Custom"] = "SSE-KMS"
    kms_key_arn: Annotated[str, Field(pattern=KMS_KEY_ARN), TOKENS_ALLOWED] | None = None
    custom_provider: CustomProviderSpec | None = None
    overrides: tuple[S3EncryptionOverrideSpec, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> S3EncryptionSpec:
        problems = ProblemCollector(self)
        if self.mode == "CSE-Custom" and self.custom_provider is None:
            problems.add(
                "custom_provider",
                None,
                "CSE-Custom needs a key provider (a JAR in S3 and its class)",
                "set custom_provider: {s3_uri: s3://bucket/provider.jar, provider_class: com.example.Provider}",
            )
        if self.mode != "CSE-Custom" and self.custom_provider is not None:
            problems.add("custom_provider", "set", f"{self.mode} takes no custom provider", "remove custom_provider")
        if self.mode in ("SSE-S3", "CSE-Custom") and self.kms_key_arn is not None:
            problems.add("kms_key_arn", self.kms_key_arn, f"{self.mode} takes no KMS key", "remove kms_key_arn")
        buckets = [o.bucket for o in self.overrides]
        repeated = sorted({b for b in buckets if buckets.count(b) > 1})
        if repeated:
            problems.add("overrides", repeated, "a bucket has more than one override", "keep one override per bucket")
        problems.raise_if_any()
        return self

    @property
    def uses_data_key(self) -> bool:
        """Whether the cluster's S3 data key is used (the mode or an override is KMS-based without a key)."""
        kms_modes = ("SSE-KMS", "CSE-KMS")
        return (self.mode in kms_modes and self.kms_key_arn is None) or any(
            o.mode in kms_modes and o.kms_key_arn is None for o in self.overrides
        )


class LocalDiskEncryptionSpec(SpecModel):
    """Encryption of instance store and EBS volumes. Default: AWS KMS with the local-disk key, EBS encryption on.

    EBS encryption (root and data volumes) needs the AwsKms provider and emr-5.24.0+.
    """

    provider: Literal["AwsKms", "Custom"] = "AwsKms"
    kms_key_arn: Annotated[str, Field(pattern=KMS_KEY_ARN), TOKENS_ALLOWED] | None = None
    custom_provider: CustomProviderSpec | None = None
    ebs_encryption: bool = True

    @model_validator(mode="after")
    def _check(self) -> LocalDiskEncryptionSpec:
        problems = ProblemCollector(self)
        if self.provider == "Custom":
            if self.custom_provider is None:
                problems.add(
                    "custom_provider",
                    None,
                    "a Custom local-disk key provider needs its JAR and class",
                    "set custom_provider or use provider: AwsKms",
                )
            if self.ebs_encryption:
                problems.add(
                    "ebs_encryption",
                    True,
                    "EBS encryption needs the AwsKms provider",
                    "use provider: AwsKms or set ebs_encryption: false",
                )
            if self.kms_key_arn is not None:
                problems.add("kms_key_arn", self.kms_key_arn, "a Custom provider takes no KMS key", "remove it")
        elif self.custom_provider is not None:
            problems.add("custom_provider", "set", "AwsKms takes no custom provider", "remove custom_provider")
        problems.raise_if_any()
        return self

    @property
    def uses_local_disk_key(self) -> bool:
        return self.provider == "AwsKms" and self.kms_key_arn is None


class InTransitEncryptionSpec(SpecModel):
    """TLS between nodes. Default: EMR-managed certificates (``EMR``) where the release has them.

    ``PEM`` takes a zip in S3 (``pem_s3_uri``, made by ``emr-constructs certs``); ``Custom`` a provider class.
    """

    certificate_provider: Literal["EMR", "PEM", "Custom"] = "EMR"
    pem_s3_uri: str | None = Field(default=None, pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\S+\.zip$")
    custom_provider: CustomProviderSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> InTransitEncryptionSpec:
        problems = ProblemCollector(self)
        provider = self.certificate_provider
        if provider == "PEM" and self.pem_s3_uri is None:
            problems.add(
                "pem_s3_uri",
                None,
                "PEM certificates need the S3 location of their zip",
                "set pem_s3_uri: s3://bucket/certs.zip (emr-constructs certs makes and uploads one)",
            )
        if provider != "PEM" and self.pem_s3_uri is not None:
            problems.add("pem_s3_uri", self.pem_s3_uri, f"{provider} certificates take no PEM zip", "remove it")
        if provider == "Custom" and self.custom_provider is None:
            problems.add(
                "custom_provider",
                None,
                "a Custom certificate provider needs its JAR and class",
                "set custom_provider: {s3_uri: ..., provider_class: ...}",
            )
        if provider != "Custom" and self.custom_provider is not None:
            problems.add("custom_provider", "set", f"{provider} takes no custom provider", "remove it")
        problems.raise_if_any()
        return self


class WaiverSpec(SpecModel):
    """A deliberate exception to a secure default; the reason is printed at every synth."""

    reason: str = Field(min_length=20)

    @model_validator(mode="after")
    def _check(self) -> WaiverSpec:
        if not re.search(r"[A-Za-z]{3}.*\s.*[A-Za-z]{3}", self.reason):
            problems = ProblemCollector(self)
            problems.add("reason", self.reason, "a waiver needs a real reason", "say why, in a sentence")
            problems.raise_if_any()
        return self


class ImdsSpec(SpecModel):
    """Instance metadata service settings. Default: IMDSv2 required, hop limit 1."""

    minimum_version: Literal[1, 2] = 2
    hop_limit: int = Field(default=1, strict=True)

    @field_validator("minimum_version", mode="before")
    @classmethod
    def _no_boolean(cls, value: object) -> object:
        # YAML's `true` would otherwise pass as 1 and quietly allow IMDSv1.
        if isinstance(value, bool):
            raise ValueError(f"minimum_version must be the number 1 or 2, not {value!r}. Fix: write 2")
        return value

    @model_validator(mode="after")
    def _check(self) -> ImdsSpec:
        problems = ProblemCollector(self)
        problems.check_range("hop_limit", self.hop_limit, (1, 64), "IMDS response hop limit")
        problems.raise_if_any()
        return self


class RuntimeRoleSpec(SpecModel):
    """A runtime role that steps run under (``ExecutionRoleArn``); created by the construct."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9-]{0,39}$")
    description: str | None = Field(default=None, max_length=1000)


class RuntimeRolesSpec(SpecModel):
    """Runtime roles for steps: application-scoped IAM roles. Default: source identity propagated."""

    propagate_source_identity: bool = True
    roles: tuple[RuntimeRoleSpec, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> RuntimeRolesSpec:
        names = [r.name for r in self.roles]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            problems = ProblemCollector(self)
            problems.add("roles", repeated, "two runtime roles share a name", "give each role a unique name")
            problems.raise_if_any()
        return self


class LakeFormationSpec(SpecModel):
    """Lake Formation fine-grained access control. Default session tag value: ``Amazon EMR``."""

    authorized_session_tag_value: str = Field(default="Amazon EMR", min_length=1, max_length=256)


class EmrFsRoleMappingSpec(SpecModel):
    """EMRFS role mapping: requests from these users, groups or S3 prefixes assume ``role_arn`` (top-down)."""

    role_arn: Annotated[str, Field(pattern=IAM_ROLE_ARN), TOKENS_ALLOWED]
    identifier_type: Literal["User", "Prefix", "Group"]
    identifiers: tuple[str, ...] = Field(min_length=1)


class SecuritySpec(SpecModel):
    """Every security setting of a cluster; the defaults encrypt everything and require IMDSv2.

    ``kerberos_waiver`` records why a cluster runs without Kerberos (required for the policy checks to accept
    it); its reason is printed at every synth. ``imds: null`` leaves the instance metadata settings out (only
    for releases before 5.23.1 that do not know them). ``hbase_wal_encryption`` encrypts HBase's EMR WAL with
    an EMR-owned key, or with ``hbase_wal_kms_key_arn`` (whose key policy must admit ``emrwal.amazonaws.com``).
    """

    s3_encryption: S3EncryptionSpec = Field(default_factory=S3EncryptionSpec)
    local_disk_encryption: LocalDiskEncryptionSpec = Field(default_factory=LocalDiskEncryptionSpec)
    in_transit: InTransitEncryptionSpec = Field(default_factory=InTransitEncryptionSpec)
    imds: ImdsSpec | None = Field(default_factory=ImdsSpec)
    kerberos: KerberosSpec | None = None
    kerberos_waiver: WaiverSpec | None = None
    runtime_roles: RuntimeRolesSpec | None = None
    lake_formation: LakeFormationSpec | None = None
    emrfs_role_mappings: tuple[EmrFsRoleMappingSpec, ...] = ()
    hbase_wal_encryption: bool = False
    hbase_wal_kms_key_arn: Annotated[str, Field(pattern=KMS_KEY_ARN), TOKENS_ALLOWED] | None = None

    @model_validator(mode="after")
    def _check(self) -> SecuritySpec:
        problems = ProblemCollector(self)
        if self.hbase_wal_kms_key_arn is not None and not self.hbase_wal_encryption:
            problems.add(
                "hbase_wal_kms_key_arn",
                self.hbase_wal_kms_key_arn,
                "a WAL key without WAL encryption does nothing",
                "set hbase_wal_encryption: true or remove the key",
            )
        if self.lake_formation is not None and self.runtime_roles is None:
            problems.add(
                "lake_formation",
                "set",
                "Lake Formation on EMR authorises runtime roles (application-scoped IAM roles), so it needs them",
                "add runtime_roles with the roles that steps run under",
            )
        if self.kerberos is not None and self.kerberos_waiver is not None:
            problems.add(
                "kerberos_waiver",
                "set",
                "a Kerberos waiver with Kerberos configured contradicts itself",
                "remove kerberos_waiver",
            )
        problems.raise_if_any()
        return self

    @property
    def given_node_key_arns(self) -> list[str]:
        """KMS keys named in the spec (not supplied by the construct) that nodes and runtime roles use."""
        s3 = self.s3_encryption
        arns = [s3.kms_key_arn, *(o.kms_key_arn for o in s3.overrides), self.local_disk_encryption.kms_key_arn]
        return sorted({arn for arn in arns if arn is not None})

    @property
    def application_scoped_roles(self) -> bool:
        """Runtime roles or Lake Formation: data access then belongs to runtime roles, not the instance role."""
        return self.runtime_roles is not None or self.lake_formation is not None
