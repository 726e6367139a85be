"""The security configuration document (``AWS::EMR::SecurityConfiguration``): exact JSON for every option and the
common combinations, the nesting that EMR requires, and no secret ever in the document. Pure: no CDK import.

Shape: EMR Management Guide, "emr-create-security-configuration.html" (see /work/shared/EMR-FACTS.md).
"""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.render.security_configuration import SecurityKeys, render_security_configuration
from emr_constructs.spec.security import SecuritySpec

DATA = "arn:aws:kms:eu-west-1:111111111111:key/data"
DISK = "arn:aws:kms:eu-west-1:111111111111:key/disk"
OWN = "arn:aws:kms:eu-west-1:111111111111:key/own"
WAL = "arn:aws:kms:eu-west-1:111111111111:key/wal"
KEYS = SecurityKeys(s3_data=DATA, local_disk=DISK)

JAR = "s3://keys-bucket/emr/provider.jar"
KEY_CLASS = "com.example.emr.KeyProvider"
CERT_CLASS = "com.example.emr.TlsProvider"
PEM_ZIP = "s3://certs-bucket/emr/certs.zip"
KDC_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/kdc-admin-AbCdEf"
TRUST_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/trust-AbCdEf"
JOIN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/join-AbCdEf"
ROLE_A = "arn:aws:iam::111111111111:role/analysts"
ROLE_B = "arn:aws:iam::111111111111:role/raw-readers"
ROLE_C = "arn:aws:iam::111111111111:role/admins"

TOP_LEVEL = {
    "EncryptionConfiguration",
    "AuthenticationConfiguration",
    "AuthorizationConfiguration",
    "InstanceMetadataServiceConfiguration",
}
ENCRYPTION_NESTED = (
    "EnableAtRestEncryption",
    "EnableInTransitEncryption",
    "AtRestEncryptionConfiguration",
    "InTransitEncryptionConfiguration",
)

TRUST = {
    "realm": "AD.EXAMPLE.COM",
    "domain": "ad.example.com",
    "admin_server": "dc1.ad.example.com",
    "kdc_server": "dc2.ad.example.com",
    "password_secret_arn": TRUST_SECRET,
    "ad_domain_join_user": "emr-join",
    "ad_domain_join_password_secret_arn": JOIN_SECRET,
}
DIRECTORY = {
    "realm": "AD.EXAMPLE.COM",
    "domain": "ad.example.com",
    "server": "dc1.ad.example.com",
    "domain_join_user": "emr-join",
    "domain_join_password_secret_arn": JOIN_SECRET,
}
EXTERNAL_KERBEROS: dict[str, Any] = {
    "realm": "KDC.EXAMPLE.COM",
    "provider": "ExternalKdc",
    "kdc_admin_password_secret_arn": KDC_SECRET,
    "external_kdc": {"admin_server": "kdc.example.com:749", "kdc_server": "kdc.example.com:88"},
}
MAPPINGS = [
    {"role_arn": ROLE_A, "identifier_type": "User", "identifiers": ["alice", "bob"]},
    {"role_arn": ROLE_B, "identifier_type": "Prefix", "identifiers": ["s3://raw-bucket/landing/"]},
    {"role_arn": ROLE_C, "identifier_type": "Group", "identifiers": ["admins"]},
]

# Every spec the tests below render; the structural tests run over all of them.
CASES: dict[str, dict[str, Any]] = {
    "default": {},
    "sse-s3": {"s3_encryption": {"mode": "SSE-S3"}},
    "sse-kms-own-key": {"s3_encryption": {"mode": "SSE-KMS", "kms_key_arn": OWN}},
    "cse-kms": {"s3_encryption": {"mode": "CSE-KMS"}},
    "cse-kms-own-key": {"s3_encryption": {"mode": "CSE-KMS", "kms_key_arn": OWN}},
    "cse-custom": {
        "s3_encryption": {"mode": "CSE-Custom", "custom_provider": {"s3_uri": JAR, "provider_class": KEY_CLASS}}
    },
    "overrides": {
        "s3_encryption": {
            "overrides": [
                {"bucket": "public-bucket", "mode": "SSE-S3"},
                {"bucket": "raw-bucket", "mode": "SSE-KMS"},
                {"bucket": "secret-bucket", "mode": "CSE-KMS", "kms_key_arn": OWN},
            ]
        }
    },
    "overrides-under-sse-s3": {
        "s3_encryption": {
            "mode": "SSE-S3",
            "overrides": [{"bucket": "raw-bucket", "mode": "SSE-KMS", "kms_key_arn": OWN}],
        }
    },
    "local-disk-custom": {
        "local_disk_encryption": {
            "provider": "Custom",
            "custom_provider": {"s3_uri": JAR, "provider_class": KEY_CLASS},
            "ebs_encryption": False,
        }
    },
    "local-disk-own-key": {"local_disk_encryption": {"kms_key_arn": OWN}},
    "ebs-off": {"local_disk_encryption": {"ebs_encryption": False}},
    "pem": {"in_transit": {"certificate_provider": "PEM", "pem_s3_uri": PEM_ZIP}},
    "custom-tls": {
        "in_transit": {
            "certificate_provider": "Custom",
            "custom_provider": {"s3_uri": JAR, "provider_class": CERT_CLASS},
        }
    },
    "kerberos-dedicated": {"kerberos": {"realm": "EC2.INTERNAL"}},
    "kerberos-dedicated-long-tickets": {
        "kerberos": {"realm": "EC2.INTERNAL", "ticket_lifetime_hours": 168, "kdc_admin_password_secret_arn": KDC_SECRET}
    },
    "kerberos-cross-realm": {"kerberos": {"realm": "EC2.INTERNAL", "cross_realm_trust": TRUST}},
    "kerberos-external": {"kerberos": EXTERNAL_KERBEROS},
    "kerberos-external-ad": {
        "kerberos": {
            **EXTERNAL_KERBEROS,
            "external_kdc": {**EXTERNAL_KERBEROS["external_kdc"], "active_directory": DIRECTORY},
        }
    },
    "kerberos-external-ad-no-server": {
        "kerberos": {
            **EXTERNAL_KERBEROS,
            "external_kdc": {
                **EXTERNAL_KERBEROS["external_kdc"],
                "active_directory": {k: v for k, v in DIRECTORY.items() if k != "server"},
            },
        }
    },
    "kerberos-waiver": {"kerberos_waiver": {"reason": "sandbox cluster that only ever reads public sample data"}},
    "runtime-roles": {"runtime_roles": {"roles": [{"name": "etl"}]}},
    "runtime-roles-no-source-identity": {"runtime_roles": {"propagate_source_identity": False}},
    "lake-formation": {
        "runtime_roles": {"roles": [{"name": "etl"}]},
        "lake_formation": {"authorized_session_tag_value": "Amazon EMR"},
    },
    "lake-formation-custom-tag": {"runtime_roles": {}, "lake_formation": {"authorized_session_tag_value": "analytics"}},
    "emrfs-role-mappings": {"emrfs_role_mappings": MAPPINGS},
    "imds-null": {"imds": None},
    "imdsv1-two-hops": {"imds": {"minimum_version": 1, "hop_limit": 2}},
    "wal-emr-key": {"hbase_wal_encryption": True},
    "wal-own-key": {"hbase_wal_encryption": True, "hbase_wal_kms_key_arn": WAL},
    "everything": {
        "s3_encryption": {"mode": "SSE-KMS", "overrides": [{"bucket": "public-bucket", "mode": "SSE-S3"}]},
        "local_disk_encryption": {"kms_key_arn": OWN},
        "in_transit": {"certificate_provider": "PEM", "pem_s3_uri": PEM_ZIP},
        "imds": {"minimum_version": 2, "hop_limit": 1},
        "kerberos": {"realm": "EC2.INTERNAL", "cross_realm_trust": TRUST},
        "runtime_roles": {"roles": [{"name": "etl"}]},
        "lake_formation": {},
        "emrfs_role_mappings": MAPPINGS[:1],
        "hbase_wal_encryption": True,
        "hbase_wal_kms_key_arn": WAL,
    },
}


def _render(case: str, keys: SecurityKeys = KEYS) -> dict[str, Any]:
    return render_security_configuration(SecuritySpec.model_validate(CASES[case]), keys)


# Expected blocks, written out literally.
DEFAULT_S3 = {"EncryptionMode": "SSE-KMS", "AwsKmsKey": DATA}
DEFAULT_DISK = {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": DISK, "EnableEbsEncryption": True}
EMR_TLS = {"CertificateProviderType": "EMR"}
IMDSV2 = {"MinimumInstanceMetadataServiceVersion": 2, "HttpPutResponseHopLimit": 1}
DEFAULT_DOCUMENT = {
    "EncryptionConfiguration": {
        "EnableInTransitEncryption": True,
        "EnableAtRestEncryption": True,
        "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {"CertificateProviderType": "EMR"}},
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": DATA},
            "LocalDiskEncryptionConfiguration": {
                "EncryptionKeyProviderType": "AwsKms",
                "AwsKmsKey": DISK,
                "EnableEbsEncryption": True,
            },
        },
    },
    "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": 2, "HttpPutResponseHopLimit": 1},
}


def _document(
    *,
    s3: dict[str, Any] = DEFAULT_S3,
    disk: dict[str, Any] = DEFAULT_DISK,
    tls: dict[str, Any] = EMR_TLS,
    wal: dict[str, Any] | None = None,
    authentication: dict[str, Any] | None = None,
    authorization: dict[str, Any] | None = None,
    imds: dict[str, Any] | None = IMDSV2,
) -> dict[str, Any]:
    """The expected document: the default with the given blocks replaced (None leaves a block out)."""
    encryption: dict[str, Any] = {
        "EnableInTransitEncryption": True,
        "EnableAtRestEncryption": True,
        "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": tls},
        "AtRestEncryptionConfiguration": {"S3EncryptionConfiguration": s3, "LocalDiskEncryptionConfiguration": disk},
    }
    if wal is not None:
        encryption["EMRWALEncryptionConfiguration"] = wal
    document: dict[str, Any] = {"EncryptionConfiguration": encryption}
    if authentication is not None:
        document["AuthenticationConfiguration"] = authentication
    if authorization is not None:
        document["AuthorizationConfiguration"] = authorization
    if imds is not None:
        document["InstanceMetadataServiceConfiguration"] = imds
    return copy.deepcopy(document)


# -- encryption at rest: S3 ----------------------------------------------------------------------------------


def test_default_document() -> None:
    assert _render("default") == DEFAULT_DOCUMENT
    assert _document() == DEFAULT_DOCUMENT  # the expectation builder agrees with the literal


def test_a_kerberos_waiver_is_not_part_of_the_document() -> None:
    assert _render("kerberos-waiver") == DEFAULT_DOCUMENT


def test_sse_s3_takes_no_key() -> None:
    assert _render("sse-s3") == _document(s3={"EncryptionMode": "SSE-S3"})


def test_sse_kms_with_its_own_key() -> None:
    assert _render("sse-kms-own-key") == _document(s3={"EncryptionMode": "SSE-KMS", "AwsKmsKey": OWN})


def test_cse_kms_defaults_to_the_data_key() -> None:
    assert _render("cse-kms") == _document(s3={"EncryptionMode": "CSE-KMS", "AwsKmsKey": DATA})


def test_cse_kms_with_its_own_key() -> None:
    assert _render("cse-kms-own-key") == _document(s3={"EncryptionMode": "CSE-KMS", "AwsKmsKey": OWN})


def test_cse_custom_names_the_provider_and_takes_no_key() -> None:
    assert _render("cse-custom") == _document(
        s3={"EncryptionMode": "CSE-Custom", "S3Object": JAR, "EncryptionKeyProviderClass": KEY_CLASS}
    )


def test_overrides_in_every_mode_keep_their_order() -> None:
    assert _render("overrides") == _document(
        s3={
            "EncryptionMode": "SSE-KMS",
            "AwsKmsKey": DATA,
            "Overrides": [
                {"BucketName": "public-bucket", "EncryptionMode": "SSE-S3"},
                {"BucketName": "raw-bucket", "EncryptionMode": "SSE-KMS", "AwsKmsKey": DATA},
                {"BucketName": "secret-bucket", "EncryptionMode": "CSE-KMS", "AwsKmsKey": OWN},
            ],
        }
    )


def test_kms_override_under_sse_s3() -> None:
    assert _render("overrides-under-sse-s3") == _document(
        s3={
            "EncryptionMode": "SSE-S3",
            "Overrides": [{"BucketName": "raw-bucket", "EncryptionMode": "SSE-KMS", "AwsKmsKey": OWN}],
        }
    )


# -- encryption at rest: local disks -------------------------------------------------------------------------


def test_custom_local_disk_provider() -> None:
    assert _render("local-disk-custom") == _document(
        disk={"EncryptionKeyProviderType": "Custom", "S3Object": JAR, "EncryptionKeyProviderClass": KEY_CLASS}
    )


def test_local_disk_with_its_own_key() -> None:
    assert _render("local-disk-own-key") == _document(
        disk={"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": OWN, "EnableEbsEncryption": True}
    )


def test_ebs_encryption_off() -> None:
    assert _render("ebs-off") == _document(
        disk={"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": DISK, "EnableEbsEncryption": False}
    )


# -- encryption in transit -----------------------------------------------------------------------------------


def test_pem_certificates() -> None:
    assert _render("pem") == _document(tls={"CertificateProviderType": "PEM", "S3Object": PEM_ZIP})


def test_custom_certificate_provider() -> None:
    assert _render("custom-tls") == _document(
        tls={"CertificateProviderType": "Custom", "S3Object": JAR, "CertificateProviderClass": CERT_CLASS}
    )


# -- Kerberos ------------------------------------------------------------------------------------------------


def test_dedicated_kdc() -> None:
    assert _render("kerberos-dedicated") == _document(
        authentication={
            "KerberosConfiguration": {
                "Provider": "ClusterDedicatedKdc",
                "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 24},
            }
        }
    )


def test_dedicated_kdc_with_longer_tickets_and_own_admin_secret() -> None:
    assert _render("kerberos-dedicated-long-tickets") == _document(
        authentication={
            "KerberosConfiguration": {
                "Provider": "ClusterDedicatedKdc",
                "ClusterDedicatedKdcConfiguration": {"TicketLifetimeInHours": 168},
            }
        }
    )


def test_dedicated_kdc_with_cross_realm_trust() -> None:
    assert _render("kerberos-cross-realm") == _document(
        authentication={
            "KerberosConfiguration": {
                "Provider": "ClusterDedicatedKdc",
                "ClusterDedicatedKdcConfiguration": {
                    "TicketLifetimeInHours": 24,
                    "CrossRealmTrustConfiguration": {
                        "Realm": "AD.EXAMPLE.COM",
                        "Domain": "ad.example.com",
                        "AdminServer": "dc1.ad.example.com",
                        "KdcServer": "dc2.ad.example.com",
                    },
                },
            }
        }
    )


def test_external_kdc() -> None:
    assert _render("kerberos-external") == _document(
        authentication={
            "KerberosConfiguration": {
                "Provider": "ExternalKdc",
                "ExternalKdcConfiguration": {
                    "KdcServerType": "Single",
                    "AdminServer": "kdc.example.com:749",
                    "KdcServer": "kdc.example.com:88",
                    "TicketLifetimeInHours": 24,
                },
            }
        }
    )


def test_external_kdc_with_active_directory() -> None:
    assert _render("kerberos-external-ad") == _document(
        authentication={
            "KerberosConfiguration": {
                "Provider": "ExternalKdc",
                "ExternalKdcConfiguration": {
                    "KdcServerType": "Single",
                    "AdminServer": "kdc.example.com:749",
                    "KdcServer": "kdc.example.com:88",
                    "TicketLifetimeInHours": 24,
                    "AdIntegrationConfiguration": {
                        "AdRealm": "AD.EXAMPLE.COM",
                        "AdDomain": "ad.example.com",
                        "AdServer": "dc1.ad.example.com",
                    },
                },
            }
        }
    )


def test_external_kdc_with_active_directory_omits_an_unset_server() -> None:
    external = _render("kerberos-external-ad-no-server")["AuthenticationConfiguration"]["KerberosConfiguration"][
        "ExternalKdcConfiguration"
    ]
    assert external["AdIntegrationConfiguration"] == {"AdRealm": "AD.EXAMPLE.COM", "AdDomain": "ad.example.com"}


@pytest.mark.parametrize("case", ["kerberos-cross-realm", "kerberos-external-ad", "everything"])
def test_no_secret_and_no_password_in_the_document(case: str) -> None:
    spec = SecuritySpec.model_validate(CASES[case])
    text = json.dumps(render_security_configuration(spec, KEYS))
    assert "secretsmanager" not in text
    assert "Password" not in text
    assert "password" not in text.lower()
    assert "resolve:" not in text
    # The join account and the cluster's realm belong to the cluster's KerberosAttributes, not to this document.
    assert "ADDomainJoin" not in text
    assert "emr-join" not in text
    assert spec.kerberos is not None
    assert spec.kerberos.realm not in text


# -- authorization -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "propagate"), [("runtime-roles", True), ("runtime-roles-no-source-identity", False)])
def test_runtime_roles(case: str, propagate: bool) -> None:
    assert _render(case) == _document(
        authorization={
            "IAMConfiguration": {
                "EnableApplicationScopedIAMRole": True,
                "ApplicationScopedIAMRoleConfiguration": {"PropagateSourceIdentity": propagate},
            }
        }
    )


@pytest.mark.parametrize(
    ("case", "tag"), [("lake-formation", "Amazon EMR"), ("lake-formation-custom-tag", "analytics")]
)
def test_lake_formation_with_runtime_roles(case: str, tag: str) -> None:
    assert _render(case) == _document(
        authorization={
            "IAMConfiguration": {
                "EnableApplicationScopedIAMRole": True,
                "ApplicationScopedIAMRoleConfiguration": {"PropagateSourceIdentity": True},
            },
            "LakeFormationConfiguration": {"AuthorizedSessionTagValue": tag},
        }
    )


def test_emrfs_role_mappings_keep_their_order() -> None:
    assert _render("emrfs-role-mappings") == _document(
        authorization={
            "EmrFsConfiguration": {
                "RoleMappings": [
                    {"Role": ROLE_A, "IdentifierType": "User", "Identifiers": ["alice", "bob"]},
                    {"Role": ROLE_B, "IdentifierType": "Prefix", "Identifiers": ["s3://raw-bucket/landing/"]},
                    {"Role": ROLE_C, "IdentifierType": "Group", "Identifiers": ["admins"]},
                ]
            }
        }
    )


# -- instance metadata service and HBase WAL -----------------------------------------------------------------


def test_imds_null_leaves_the_block_out() -> None:
    document = _render("imds-null")
    assert "InstanceMetadataServiceConfiguration" not in document
    assert document == _document(imds=None)


def test_imds_v1_with_two_hops() -> None:
    assert _render("imdsv1-two-hops") == _document(
        imds={"MinimumInstanceMetadataServiceVersion": 1, "HttpPutResponseHopLimit": 2}
    )


def test_wal_encryption_with_an_emr_owned_key() -> None:
    assert _render("wal-emr-key") == _document(wal={})


def test_wal_encryption_with_its_own_key() -> None:
    assert _render("wal-own-key") == _document(wal={"AwsKmsKey": WAL})


# -- combinations --------------------------------------------------------------------------------------------


def test_everything_together() -> None:
    assert _render("everything") == _document(
        s3={
            "EncryptionMode": "SSE-KMS",
            "AwsKmsKey": DATA,
            "Overrides": [{"BucketName": "public-bucket", "EncryptionMode": "SSE-S3"}],
        },
        disk={"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": OWN, "EnableEbsEncryption": True},
        tls={"CertificateProviderType": "PEM", "S3Object": PEM_ZIP},
        wal={"AwsKmsKey": WAL},
        authentication={
            "KerberosConfiguration": {
                "Provider": "ClusterDedicatedKdc",
                "ClusterDedicatedKdcConfiguration": {
                    "TicketLifetimeInHours": 24,
                    "CrossRealmTrustConfiguration": {
                        "Realm": "AD.EXAMPLE.COM",
                        "Domain": "ad.example.com",
                        "AdminServer": "dc1.ad.example.com",
                        "KdcServer": "dc2.ad.example.com",
                    },
                },
            }
        },
        authorization={
            "IAMConfiguration": {
                "EnableApplicationScopedIAMRole": True,
                "ApplicationScopedIAMRoleConfiguration": {"PropagateSourceIdentity": True},
            },
            "LakeFormationConfiguration": {"AuthorizedSessionTagValue": "Amazon EMR"},
            "EmrFsConfiguration": {
                "RoleMappings": [{"Role": ROLE_A, "IdentifierType": "User", "Identifiers": ["alice", "bob"]}]
            },
        },
    )


def test_key_tokens_pass_through() -> None:
    keys = SecurityKeys(s3_data="${Token[TOKEN.101]}", local_disk="${Token[TOKEN.102]}")
    document = _render("overrides", keys)
    at_rest = document["EncryptionConfiguration"]["AtRestEncryptionConfiguration"]
    assert at_rest["S3EncryptionConfiguration"]["AwsKmsKey"] == "${Token[TOKEN.101]}"
    assert at_rest["S3EncryptionConfiguration"]["Overrides"][1]["AwsKmsKey"] == "${Token[TOKEN.101]}"
    assert at_rest["LocalDiskEncryptionConfiguration"]["AwsKmsKey"] == "${Token[TOKEN.102]}"


def test_keys_the_spec_does_not_use_are_ignored() -> None:
    document = _render("sse-s3", SecurityKeys(s3_data=DATA, local_disk=DISK))
    assert DATA not in json.dumps(document)


@pytest.mark.parametrize(
    "keys", [SecurityKeys(local_disk=DISK), SecurityKeys(s3_data=DATA)], ids=["no-s3-data-key", "no-local-disk-key"]
)
def test_fails_without_a_key_the_spec_needs(keys: SecurityKeys) -> None:
    with pytest.raises(ValueError, match="key"):
        render_security_configuration(SecuritySpec(), keys)


# -- structure over every case -------------------------------------------------------------------------------


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


@pytest.mark.parametrize("case", sorted(CASES))
def test_encryption_settings_are_nested_under_encryption_configuration(case: str) -> None:
    document = _render(case)
    assert set(document) <= TOP_LEVEL
    encryption = document["EncryptionConfiguration"]
    for key in ENCRYPTION_NESTED:
        assert key in encryption
        assert key not in document
    assert "S3EncryptionConfiguration" in encryption["AtRestEncryptionConfiguration"]
    assert "LocalDiskEncryptionConfiguration" in encryption["AtRestEncryptionConfiguration"]
    assert "TLSCertificateConfiguration" in encryption["InTransitEncryptionConfiguration"]
    assert set(encryption) <= {*ENCRYPTION_NESTED, "EMRWALEncryptionConfiguration"}
    assert encryption["EnableAtRestEncryption"] is True
    assert encryption["EnableInTransitEncryption"] is True


@pytest.mark.parametrize("case", sorted(CASES))
def test_document_is_plain_json_without_nulls(case: str) -> None:
    document = _render(case)
    assert json.loads(json.dumps(document)) == document  # lists, not tuples; str keys; JSON scalars
    nulls = [path for path, value in _walk(document) if value is None]
    assert nulls == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendering_is_deterministic(case: str) -> None:
    assert json.dumps(_render(case)) == json.dumps(_render(case))


def test_every_case_is_a_different_document() -> None:
    texts = {name: json.dumps(_render(name), sort_keys=True) for name in CASES if name != "kerberos-waiver"}
    assert len(set(texts.values())) == len(texts)


# -- purity --------------------------------------------------------------------------------------------------

CDK_MODULES = ("aws_cdk", "constructs", "cdk_nag", "jsii")
REPO = Path(__file__).resolve().parents[2]


def test_importing_the_renderer_loads_no_cdk_module() -> None:
    probe = (
        "import sys, emr_constructs.render.security_configuration\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {CDK_MODULES!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""


def test_these_tests_import_no_cdk_module() -> None:
    offenders = []
    for path in sorted(Path(__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in CDK_MODULES]
    assert offenders == []
