"""Security settings: every validator of ``emr_constructs.spec.security``, the release gates that ``ClusterSpec``
applies to them, the classifications they derive, their warnings and their defaults. Pure spec: no CDK import.

Every payload carries an explicit ``security`` block, so ``release_compatible`` leaves it alone and each test sees
exactly the security settings it states.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from emr_constructs.spec import ConfigError, ConfigurationSpec
from emr_constructs.spec.kerberos import KerberosSpec
from emr_constructs.spec.security import (
    ImdsSpec,
    InTransitEncryptionSpec,
    LocalDiskEncryptionSpec,
    S3EncryptionSpec,
    SecuritySpec,
)
from tests.spec.payloads import PEM_ZIP, fleet_cluster, old_fleet_cluster, rejects, valid, with_

DATA_KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY = "arn:aws:kms:eu-west-1:111111111111:key/other"
KDC_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/kdc-admin-AbCdEf"
TRUST_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/trust-AbCdEf"
JOIN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:emr/join-AbCdEf"
PROVIDER = {"s3_uri": "s3://keys-bucket/emr/provider.jar", "provider_class": "com.example.emr.KeyProvider"}
PEM = {"certificate_provider": "PEM", "pem_s3_uri": PEM_ZIP}
REALM = "EC2.INTERNAL"
TRUST = {
    "realm": "AD.EXAMPLE.COM",
    "domain": "ad.example.com",
    "admin_server": "ad.example.com",
    "kdc_server": "ad.example.com",
    "password_secret_arn": TRUST_SECRET,
}
EXTERNAL = {"admin_server": "kdc.example.com", "kdc_server": "kdc.example.com"}
REASON = "sandbox cluster that only ever reads public sample data"


def _secured(security: dict[str, Any], **top_level: Any) -> dict[str, Any]:
    """The valid fleet cluster (emr-7.5.0, which has every security feature) with this ``security`` block; no
    data-lake preset, so that only security derives classifications."""
    top_level.setdefault("data_lake", {"presets": []})
    return fleet_cluster(security=security, **top_level)


def _only(payload: dict[str, Any], pattern: str) -> ConfigError:
    """The payload is rejected with exactly one problem, and that problem matches ``pattern``."""
    error = rejects(payload, pattern)
    assert len(error.lines) == 1, error.lines
    return error


def _path(path: str) -> str:
    """A regex matching the start of a problem line about ``path``."""
    return rf"^  - {re.escape(path)}: "


# -- defaults ------------------------------------------------------------------------------------------------


def test_defaults_encrypt_everything_with_imdsv2_and_no_kerberos() -> None:
    spec = SecuritySpec()
    assert spec.s3_encryption.mode == "SSE-KMS"
    assert spec.s3_encryption.kms_key_arn is None
    assert spec.s3_encryption.overrides == ()
    assert spec.s3_encryption.uses_data_key is True
    assert spec.local_disk_encryption.provider == "AwsKms"
    assert spec.local_disk_encryption.ebs_encryption is True
    assert spec.local_disk_encryption.uses_local_disk_key is True
    assert spec.in_transit.certificate_provider == "EMR"
    assert spec.in_transit.pem_s3_uri is None
    assert spec.imds == ImdsSpec(minimum_version=2, hop_limit=1)
    assert spec.kerberos is None
    assert spec.kerberos_waiver is None
    assert spec.runtime_roles is None
    assert spec.lake_formation is None
    assert spec.emrfs_role_mappings == ()
    assert spec.hbase_wal_encryption is False
    assert spec.application_scoped_roles is False


def test_a_cluster_without_security_block_gets_the_defaults() -> None:
    assert valid(fleet_cluster()).security == SecuritySpec()


def test_kerberos_defaults_to_a_dedicated_kdc_with_24_hour_tickets() -> None:
    kerberos = KerberosSpec(realm=REALM)
    assert kerberos.provider == "ClusterDedicatedKdc"
    assert kerberos.ticket_lifetime_hours == 24
    assert kerberos.kdc_admin_password_secret_arn is None


def test_fails_unknown_security_field() -> None:
    _only(_secured({"encryption": {}}), _path("security.encryption") + "unknown field")


# -- S3 (EMRFS) encryption -----------------------------------------------------------------------------------


def test_fails_cse_custom_without_custom_provider() -> None:
    _only(
        _secured({"s3_encryption": {"mode": "CSE-Custom"}}),
        _path("security.s3_encryption.custom_provider") + r"CSE-Custom needs a key provider",
    )


@pytest.mark.parametrize("mode", ["SSE-S3", "SSE-KMS", "CSE-KMS"])
def test_fails_custom_provider_with_another_mode(mode: str) -> None:
    _only(
        _secured({"s3_encryption": {"mode": mode, "custom_provider": PROVIDER}}),
        _path("security.s3_encryption.custom_provider") + rf"{mode} takes no custom provider",
    )


@pytest.mark.parametrize(
    "s3",
    [{"mode": "SSE-S3"}, {"mode": "CSE-Custom", "custom_provider": PROVIDER}],
    ids=["SSE-S3", "CSE-Custom"],
)
def test_fails_kms_key_with_a_mode_that_takes_none(s3: dict[str, Any]) -> None:
    _only(
        _secured({"s3_encryption": {**s3, "kms_key_arn": DATA_KEY}}),
        _path("security.s3_encryption.kms_key_arn") + rf"{s3['mode']} takes no KMS key",
    )


def test_fails_two_overrides_for_one_bucket() -> None:
    overrides = [
        {"bucket": "raw-bucket", "mode": "SSE-S3"},
        {"bucket": "curated-bucket", "mode": "SSE-KMS"},
        {"bucket": "raw-bucket", "mode": "CSE-KMS"},
    ]
    _only(
        _secured({"s3_encryption": {"overrides": overrides}}),
        _path("security.s3_encryption.overrides")
        + re.escape("a bucket has more than one override (got ['raw-bucket'])"),
    )


def test_fails_sse_s3_override_with_a_key() -> None:
    overrides = [{"bucket": "raw-bucket", "mode": "SSE-S3", "kms_key_arn": DATA_KEY}]
    _only(
        _secured({"s3_encryption": {"overrides": overrides}}),
        _path("security.s3_encryption.overrides[0].kms_key_arn") + "SSE-S3 takes no KMS key",
    )


def test_fails_cse_custom_override() -> None:
    overrides = [{"bucket": "raw-bucket", "mode": "CSE-Custom"}]
    _only(_secured({"s3_encryption": {"overrides": overrides}}), _path("security.s3_encryption.overrides[0].mode"))


@pytest.mark.parametrize("bucket", ["Raw-Bucket", "ab", "raw_bucket", "-raw-bucket", "s3://raw-bucket"])
def test_fails_malformed_override_bucket(bucket: str) -> None:
    overrides = [{"bucket": bucket, "mode": "SSE-S3"}]
    _only(
        _secured({"s3_encryption": {"overrides": overrides}}),
        _path("security.s3_encryption.overrides[0].bucket") + "does not match the required form",
    )


@pytest.mark.parametrize(
    "s3",
    [
        {"mode": "SSE-S3"},
        {"mode": "SSE-KMS"},
        {"mode": "SSE-KMS", "kms_key_arn": DATA_KEY},
        {"mode": "CSE-KMS"},
        {
            "mode": "CSE-KMS",
            "kms_key_arn": "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
        {"mode": "CSE-Custom", "custom_provider": PROVIDER},
        {
            "mode": "SSE-S3",
            "overrides": [
                {"bucket": "raw-bucket", "mode": "SSE-KMS"},
                {"bucket": "curated.bucket", "mode": "CSE-KMS", "kms_key_arn": OTHER_KEY},
                {"bucket": "public-bucket", "mode": "SSE-S3"},
            ],
        },
    ],
)
def test_accepts_every_s3_mode(s3: dict[str, Any]) -> None:
    assert valid(_secured({"s3_encryption": s3})).security.s3_encryption.mode == s3["mode"]


@pytest.mark.parametrize(
    ("s3", "uses"),
    [
        ({"mode": "SSE-KMS"}, True),
        ({"mode": "CSE-KMS"}, True),
        ({"mode": "SSE-KMS", "kms_key_arn": DATA_KEY}, False),
        ({"mode": "SSE-S3"}, False),
        ({"mode": "CSE-Custom", "custom_provider": PROVIDER}, False),
        ({"mode": "SSE-S3", "overrides": [{"bucket": "raw-bucket", "mode": "SSE-KMS"}]}, True),
        (
            {"mode": "SSE-S3", "overrides": [{"bucket": "raw-bucket", "mode": "CSE-KMS", "kms_key_arn": DATA_KEY}]},
            False,
        ),
        (
            {"mode": "SSE-KMS", "kms_key_arn": DATA_KEY, "overrides": [{"bucket": "raw-bucket", "mode": "SSE-S3"}]},
            False,
        ),
    ],
)
def test_the_data_key_is_used_exactly_when_a_kms_mode_has_no_key(s3: dict[str, Any], uses: bool) -> None:
    assert S3EncryptionSpec.model_validate(s3).uses_data_key is uses


# -- patterns ------------------------------------------------------------------------------------------------

BAD_KMS_ARNS = [
    "alias/emr-data",
    # An alias ARN: the roles' IAM policies must name the key itself, so the spec takes key ARNs only.
    "arn:aws:kms:eu-west-1:111111111111:alias/emr-data",
    "arn:aws:kms:eu-west-1:111111111111:key/abc\njunk",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    "arn:aws:kms:eu-west-1:1111:key/abc",
    "arn:aws:kms:eu-west-1:111111111111:key/",
    "arn:aws:iam::111111111111:role/emr",
    "arn:aws:kms:eu-west-1:111111111111:secret/abc",
]


@pytest.mark.parametrize("arn", BAD_KMS_ARNS)
@pytest.mark.parametrize(
    ("path", "security"),
    [
        ("s3_encryption.kms_key_arn", lambda arn: {"s3_encryption": {"kms_key_arn": arn}}),
        (
            "s3_encryption.overrides[0].kms_key_arn",
            lambda arn: {
                "s3_encryption": {"overrides": [{"bucket": "raw-bucket", "mode": "SSE-KMS", "kms_key_arn": arn}]}
            },
        ),
        ("local_disk_encryption.kms_key_arn", lambda arn: {"local_disk_encryption": {"kms_key_arn": arn}}),
        (
            "hbase_wal_kms_key_arn",
            lambda arn: {"hbase_wal_encryption": True, "hbase_wal_kms_key_arn": arn},
        ),
    ],
    ids=["s3", "override", "local-disk", "wal"],
)
def test_fails_malformed_kms_key_arn(path: str, security: Any, arn: str) -> None:
    payload = _secured(security(arn), applications=["Spark", "Hadoop", "HBase"])
    _only(payload, _path(f"security.{path}") + "does not match the required form")


@pytest.mark.parametrize(
    "uri",
    [
        "https://keys-bucket/provider.jar",
        "s3://Keys-Bucket/provider.jar",
        "s3://keys-bucket",
        "s3://keys-bucket/",
        "s3a://keys-bucket/provider.jar",
        "keys-bucket/provider.jar",
    ],
)
@pytest.mark.parametrize(
    ("path", "security"),
    [
        (
            "s3_encryption.custom_provider.s3_uri",
            lambda p: {"s3_encryption": {"mode": "CSE-Custom", "custom_provider": p}},
        ),
        (
            "local_disk_encryption.custom_provider.s3_uri",
            lambda p: {"local_disk_encryption": {"provider": "Custom", "custom_provider": p, "ebs_encryption": False}},
        ),
        (
            "in_transit.custom_provider.s3_uri",
            lambda p: {"in_transit": {"certificate_provider": "Custom", "custom_provider": p}},
        ),
    ],
    ids=["s3", "local-disk", "in-transit"],
)
def test_fails_malformed_provider_s3_uri(path: str, security: Any, uri: str) -> None:
    _only(
        _secured(security({**PROVIDER, "s3_uri": uri})), _path(f"security.{path}") + "does not match the required form"
    )


@pytest.mark.parametrize(
    "provider_class",
    ["KeyProvider", "com.example.", ".com.example.KeyProvider", "1com.example.KeyProvider", "com.example.Key Provider"],
)
def test_fails_malformed_provider_class(provider_class: str) -> None:
    provider = {**PROVIDER, "provider_class": provider_class}
    _only(
        _secured({"s3_encryption": {"mode": "CSE-Custom", "custom_provider": provider}}),
        _path("security.s3_encryption.custom_provider.provider_class") + "does not match the required form",
    )


@pytest.mark.parametrize(
    "provider_class", ["com.example.KeyProvider", "com.example.KeyProvider$Inner", "_a.b", "org.example_1.X"]
)
def test_accepts_java_class_names(provider_class: str) -> None:
    provider = {**PROVIDER, "provider_class": provider_class}
    spec = valid(_secured({"s3_encryption": {"mode": "CSE-Custom", "custom_provider": provider}}))
    assert spec.security.s3_encryption.custom_provider is not None
    assert spec.security.s3_encryption.custom_provider.provider_class == provider_class


# -- local disk encryption -----------------------------------------------------------------------------------


def test_fails_custom_local_disk_provider_without_custom_provider() -> None:
    _only(
        _secured({"local_disk_encryption": {"provider": "Custom", "ebs_encryption": False}}),
        _path("security.local_disk_encryption.custom_provider") + "a Custom local-disk key provider needs its JAR",
    )


def test_fails_custom_local_disk_provider_with_ebs_encryption() -> None:
    # ebs_encryption defaults to true, so a Custom provider must turn it off explicitly.
    _only(
        _secured({"local_disk_encryption": {"provider": "Custom", "custom_provider": PROVIDER}}),
        _path("security.local_disk_encryption.ebs_encryption")
        + r"EBS encryption needs the AwsKms provider \(got True\)",
    )


def test_fails_custom_local_disk_provider_with_kms_key() -> None:
    disk = {"provider": "Custom", "custom_provider": PROVIDER, "ebs_encryption": False, "kms_key_arn": DATA_KEY}
    _only(
        _secured({"local_disk_encryption": disk}),
        _path("security.local_disk_encryption.kms_key_arn") + "a Custom provider takes no KMS key",
    )


def test_fails_aws_kms_local_disk_provider_with_custom_provider() -> None:
    _only(
        _secured({"local_disk_encryption": {"provider": "AwsKms", "custom_provider": PROVIDER}}),
        _path("security.local_disk_encryption.custom_provider") + "AwsKms takes no custom provider",
    )


def test_custom_local_disk_provider_reports_every_problem_at_once() -> None:
    disk = {"provider": "Custom", "kms_key_arn": DATA_KEY}
    error = rejects(_secured({"local_disk_encryption": disk}), _path("security.local_disk_encryption.custom_provider"))
    assert [line.split(":")[0] for line in error.lines] == [
        "security.local_disk_encryption.custom_provider",
        "security.local_disk_encryption.ebs_encryption",
        "security.local_disk_encryption.kms_key_arn",
    ]


@pytest.mark.parametrize(
    ("disk", "uses_key"),
    [
        ({"provider": "Custom", "custom_provider": PROVIDER, "ebs_encryption": False}, False),
        ({"provider": "AwsKms", "kms_key_arn": DATA_KEY}, False),
        ({"provider": "AwsKms", "ebs_encryption": False}, True),
        ({}, True),
    ],
)
def test_accepts_local_disk_settings(disk: dict[str, Any], uses_key: bool) -> None:
    spec = valid(_secured({"local_disk_encryption": disk}))
    assert spec.security.local_disk_encryption.uses_local_disk_key is uses_key
    assert LocalDiskEncryptionSpec.model_validate(disk).uses_local_disk_key is uses_key


# -- in-transit encryption -----------------------------------------------------------------------------------


def test_fails_pem_without_pem_s3_uri() -> None:
    _only(
        _secured({"in_transit": {"certificate_provider": "PEM"}}),
        _path("security.in_transit.pem_s3_uri") + "PEM certificates need the S3 location of their zip",
    )


@pytest.mark.parametrize(
    "uri",
    [
        "s3://certs-bucket/emr/certs.tar.gz",
        "s3://certs-bucket/emr/certs.ZIP",
        "s3://certs-bucket/zip",
        "s3://certs-bucket/.zip/x",
    ],
)
def test_fails_pem_s3_uri_not_ending_in_zip(uri: str) -> None:
    _only(
        _secured({"in_transit": {"certificate_provider": "PEM", "pem_s3_uri": uri}}),
        _path("security.in_transit.pem_s3_uri") + "does not match the required form",
    )


@pytest.mark.parametrize("provider", ["EMR", "Custom"])
def test_fails_pem_s3_uri_with_another_provider(provider: str) -> None:
    transit: dict[str, Any] = {"certificate_provider": provider, "pem_s3_uri": PEM_ZIP}
    if provider == "Custom":
        transit["custom_provider"] = PROVIDER
    _only(
        _secured({"in_transit": transit}),
        _path("security.in_transit.pem_s3_uri") + rf"{provider} certificates take no PEM zip",
    )


def test_fails_custom_certificates_without_custom_provider() -> None:
    _only(
        _secured({"in_transit": {"certificate_provider": "Custom"}}),
        _path("security.in_transit.custom_provider") + "a Custom certificate provider needs its JAR and class",
    )


@pytest.mark.parametrize("transit", [{"certificate_provider": "EMR"}, PEM], ids=["EMR", "PEM"])
def test_fails_custom_provider_with_non_custom_certificates(transit: dict[str, Any]) -> None:
    _only(
        _secured({"in_transit": {**transit, "custom_provider": PROVIDER}}),
        _path("security.in_transit.custom_provider") + rf"{transit['certificate_provider']} takes no custom provider",
    )


@pytest.mark.parametrize(
    "transit",
    [{}, {"certificate_provider": "EMR"}, PEM, {"certificate_provider": "Custom", "custom_provider": PROVIDER}],
    ids=["default", "EMR", "PEM", "Custom"],
)
def test_accepts_every_certificate_provider(transit: dict[str, Any]) -> None:
    spec = valid(_secured({"in_transit": transit}))
    assert spec.security.in_transit == InTransitEncryptionSpec.model_validate(transit)


# -- Kerberos ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("realm", ["ec2.internal", "Ec2.Internal", "EC2 INTERNAL", "EC2_INTERNAL", ""])
def test_fails_realm_that_is_not_upper_case(realm: str) -> None:
    _only(
        _secured({"kerberos": {"realm": realm}}), _path("security.kerberos.realm") + "does not match the required form"
    )


def test_fails_external_kdc_without_its_servers() -> None:
    kerberos = {"realm": REALM, "provider": "ExternalKdc", "kdc_admin_password_secret_arn": KDC_SECRET}
    _only(
        _secured({"kerberos": kerberos}),
        _path("security.kerberos.external_kdc") + "an ExternalKdc provider needs the KDC's servers",
    )


def test_fails_external_kdc_without_admin_password_secret() -> None:
    kerberos = {"realm": REALM, "provider": "ExternalKdc", "external_kdc": EXTERNAL}
    _only(
        _secured({"kerberos": kerberos}),
        _path("security.kerberos.kdc_admin_password_secret_arn") + "an external KDC needs its admin password",
    )


def test_fails_external_kdc_with_cross_realm_trust() -> None:
    kerberos = {
        "realm": REALM,
        "provider": "ExternalKdc",
        "external_kdc": EXTERNAL,
        "kdc_admin_password_secret_arn": KDC_SECRET,
        "cross_realm_trust": TRUST,
    }
    _only(
        _secured({"kerberos": kerberos}),
        _path("security.kerberos.cross_realm_trust") + "cross-realm trust is configured on a cluster-dedicated KDC",
    )


def test_fails_dedicated_kdc_with_external_kdc() -> None:
    _only(
        _secured({"kerberos": {"realm": REALM, "external_kdc": EXTERNAL}}),
        _path("security.kerberos.external_kdc") + "a cluster-dedicated KDC takes no external KDC",
    )


@pytest.mark.parametrize(
    "password",
    ["Sup3r-Secret!", "{{resolve:secretsmanager:emr/kdc}}", "arn:aws:ssm:eu-west-1:111111111111:parameter/kdc"],
)
def test_fails_kdc_admin_password_that_is_not_a_secret_arn(password: str) -> None:
    # A literal password would end up in the template; only a Secrets Manager ARN is accepted.
    _only(
        _secured({"kerberos": {"realm": REALM, "kdc_admin_password_secret_arn": password}}),
        _path("security.kerberos.kdc_admin_password_secret_arn") + "does not match the required form",
    )


def test_fails_cross_realm_trust_without_realm_and_password_secret() -> None:
    trust = {k: v for k, v in TRUST.items() if k not in ("realm", "password_secret_arn")}
    error = rejects(
        _secured({"kerberos": {"realm": REALM, "cross_realm_trust": trust}}),
        _path("security.kerberos.cross_realm_trust.realm") + "required field is missing",
    )
    assert error.lines == [
        "security.kerberos.cross_realm_trust.realm: required field is missing. Fix: add realm",
        "security.kerberos.cross_realm_trust.password_secret_arn: required field is missing. "
        "Fix: add password_secret_arn",
    ]


def test_fails_cross_realm_trust_to_the_clusters_own_realm() -> None:
    _only(
        _secured({"kerberos": {"realm": "AD.EXAMPLE.COM", "cross_realm_trust": TRUST}}),
        _path("security.kerberos.cross_realm_trust.realm") + "the trusted realm must differ from the cluster's realm",
    )


@pytest.mark.parametrize(
    "join",
    [{"ad_domain_join_user": "emr-join"}, {"ad_domain_join_password_secret_arn": JOIN_SECRET}],
    ids=["user-only", "secret-only"],
)
def test_fails_ad_domain_join_user_without_password_secret(join: dict[str, str]) -> None:
    _only(
        _secured({"kerberos": {"realm": REALM, "cross_realm_trust": {**TRUST, **join}}}),
        _path("security.kerberos.cross_realm_trust.ad_domain_join_user")
        + "joining an Active Directory domain needs both the user and its password secret",
    )


def test_fails_active_directory_without_join_account() -> None:
    external = {**EXTERNAL, "active_directory": {"realm": "AD.EXAMPLE.COM", "domain": "ad.example.com"}}
    kerberos = {
        "realm": REALM,
        "provider": "ExternalKdc",
        "external_kdc": external,
        "kdc_admin_password_secret_arn": KDC_SECRET,
    }
    error = rejects(_secured({"kerberos": kerberos}), "required field is missing")
    assert error.lines == [
        "security.kerberos.external_kdc.active_directory.domain_join_user: required field is missing. "
        "Fix: add domain_join_user",
        "security.kerberos.external_kdc.active_directory.domain_join_password_secret_arn: required field is missing. "
        "Fix: add domain_join_password_secret_arn",
    ]


def test_fails_active_directory_realm_equal_to_the_clusters_realm() -> None:
    directory = {
        "realm": REALM,
        "domain": "ad.example.com",
        "domain_join_user": "emr-join",
        "domain_join_password_secret_arn": JOIN_SECRET,
    }
    kerberos = {
        "realm": REALM,
        "provider": "ExternalKdc",
        "external_kdc": {**EXTERNAL, "active_directory": directory},
        "kdc_admin_password_secret_arn": KDC_SECRET,
    }
    _only(_secured({"kerberos": kerberos}), _path("security.kerberos.external_kdc.active_directory.realm"))


@pytest.mark.parametrize(("hours", "bound"), [(0, "at least 1"), (8761, "at most 8760")])
def test_fails_ticket_lifetime_out_of_range(hours: int, bound: str) -> None:
    _only(
        _secured({"kerberos": {"realm": REALM, "ticket_lifetime_hours": hours}}),
        _path("security.kerberos.ticket_lifetime_hours") + f"must be {bound}",
    )


@pytest.mark.parametrize("hours", [1, 8760])
def test_accepts_ticket_lifetime_at_the_bounds(hours: int) -> None:
    spec = valid(_secured({"kerberos": {"realm": REALM, "ticket_lifetime_hours": hours}}))
    assert spec.security.kerberos is not None
    assert spec.security.kerberos.ticket_lifetime_hours == hours


@pytest.mark.parametrize(
    "kerberos",
    [
        {"realm": REALM},
        {"realm": REALM, "kdc_admin_password_secret_arn": KDC_SECRET},
        {"realm": REALM, "cross_realm_trust": TRUST},
        {
            "realm": REALM,
            "cross_realm_trust": {
                **TRUST,
                "ad_domain_join_user": "emr-join",
                "ad_domain_join_password_secret_arn": JOIN_SECRET,
            },
        },
        {
            "realm": REALM,
            "provider": "ExternalKdc",
            "external_kdc": EXTERNAL,
            "kdc_admin_password_secret_arn": KDC_SECRET,
        },
        {
            "realm": REALM,
            "provider": "ExternalKdc",
            "kdc_admin_password_secret_arn": KDC_SECRET,
            "external_kdc": {
                **EXTERNAL,
                "active_directory": {
                    "realm": "AD.EXAMPLE.COM",
                    "domain": "ad.example.com",
                    "domain_join_user": "emr-join",
                    "domain_join_password_secret_arn": JOIN_SECRET,
                },
            },
        },
    ],
    ids=["dedicated", "dedicated-own-secret", "cross-realm", "cross-realm-ad-join", "external", "external-ad"],
)
def test_accepts_kerberos_architectures(kerberos: dict[str, Any]) -> None:
    spec = valid(_secured({"kerberos": kerberos}))
    assert spec.security.kerberos == KerberosSpec.model_validate(kerberos)


# -- IMDS ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hop_limit", [0, 65, -1])
def test_fails_hop_limit_out_of_range(hop_limit: int) -> None:
    _only(
        _secured({"imds": {"hop_limit": hop_limit}}),
        _path("security.imds.hop_limit")
        + rf"IMDS response hop limit must be between 1 and 64 \(got {hop_limit}\)\. Fix: set a value from 1 to 64",
    )


@pytest.mark.parametrize("hop_limit", [1, 64])
def test_accepts_hop_limit_at_the_bounds(hop_limit: int) -> None:
    assert valid(_secured({"imds": {"hop_limit": hop_limit}})).security.imds == ImdsSpec(hop_limit=hop_limit)


@pytest.mark.parametrize("version", [0, 3, "2"])
def test_fails_imds_minimum_version_other_than_1_or_2(version: Any) -> None:
    _only(
        _secured({"imds": {"minimum_version": version}}),
        _path("security.imds.minimum_version") + "must be 1 or 2",
    )


def test_accepts_imdsv1_explicitly() -> None:
    assert valid(_secured({"imds": {"minimum_version": 1}})).security.imds == ImdsSpec(minimum_version=1)


def test_imds_null_leaves_the_settings_out() -> None:
    assert valid(_secured({"imds": None})).security.imds is None


@pytest.mark.parametrize(
    ("path", "security"),
    [
        ("imds.minimum_version", {"imds": {"minimum_version": True}}),
        ("imds.hop_limit", {"imds": {"hop_limit": True}}),
        ("kerberos.ticket_lifetime_hours", {"kerberos": {"realm": REALM, "ticket_lifetime_hours": True}}),
    ],
)
def test_fails_boolean_where_an_integer_is_expected(path: str, security: dict[str, Any]) -> None:
    _only(_secured(security), _path(f"security.{path}"))


# -- Kerberos waiver -----------------------------------------------------------------------------------------


def test_fails_waiver_reason_shorter_than_20_characters() -> None:
    _only(
        _secured({"kerberos_waiver": {"reason": "dev cluster only"}}),
        _path("security.kerberos_waiver.reason") + "must have at least 20 characters",
    )


@pytest.mark.parametrize(
    "reason", ["1234567890 1234567890", "...................................", "n/a n/a n/a n/a n/a n/a"]
)
def test_fails_waiver_reason_without_words(reason: str) -> None:
    _only(
        _secured({"kerberos_waiver": {"reason": reason}}),
        _path("security.kerberos_waiver.reason") + "a waiver needs a real reason",
    )


def test_fails_kerberos_together_with_a_kerberos_waiver() -> None:
    _only(
        _secured({"kerberos": {"realm": REALM}, "kerberos_waiver": {"reason": REASON}}),
        _path("security.kerberos_waiver") + "a Kerberos waiver with Kerberos configured contradicts itself",
    )


def test_kerberos_waiver_warns_with_its_reason() -> None:
    spec = valid(_secured({"kerberos_waiver": {"reason": REASON}}))
    assert ("kerberos-waived", f"cluster analytics runs without Kerberos: {REASON}") in spec.warnings()


def test_no_kerberos_warning_without_a_waiver() -> None:
    assert not [w for w, _ in valid(_secured({"kerberos": {"realm": REALM}})).warnings() if w == "kerberos-waived"]


# -- runtime roles and Lake Formation ------------------------------------------------------------------------


def test_fails_two_runtime_roles_with_one_name() -> None:
    roles = [{"name": "etl"}, {"name": "reporting"}, {"name": "etl"}]
    _only(
        _secured({"runtime_roles": {"roles": roles}}),
        _path("security.runtime_roles.roles") + re.escape("two runtime roles share a name (got ['etl'])"),
    )


@pytest.mark.parametrize("name", ["1etl", "etl_jobs", "etl jobs", "", "e" * 41, "-etl"])
def test_fails_malformed_runtime_role_name(name: str) -> None:
    _only(
        _secured({"runtime_roles": {"roles": [{"name": name}]}}),
        _path("security.runtime_roles.roles[0].name") + "does not match the required form",
    )


@pytest.mark.parametrize("name", ["e", "Etl-Jobs-2", "e" * 40])
def test_accepts_runtime_role_names(name: str) -> None:
    spec = valid(_secured({"runtime_roles": {"roles": [{"name": name}]}}))
    assert spec.security.runtime_roles is not None
    assert spec.security.runtime_roles.roles[0].name == name
    assert spec.security.runtime_roles.propagate_source_identity is True
    assert spec.security.application_scoped_roles is True


def test_fails_runtime_roles_with_three_primary_nodes() -> None:
    payload = with_(
        _secured({"runtime_roles": {"roles": [{"name": "etl"}]}}), "instance_fleets.primary.target_on_demand", 3
    )
    _only(
        payload,
        _path("security.runtime_roles") + "EMR does not support runtime roles on clusters with three primary nodes",
    )


def test_three_primary_nodes_alone_are_valid() -> None:
    assert valid(with_(_secured({}), "instance_fleets.primary.target_on_demand", 3)).multi_primary


def test_fails_lake_formation_without_runtime_roles() -> None:
    _only(
        _secured({"lake_formation": {}}),
        _path("security.lake_formation") + "Lake Formation on EMR authorises runtime roles",
    )


@pytest.mark.parametrize("value", ["", "x" * 257])
def test_fails_lake_formation_session_tag_value_length(value: str) -> None:
    _only(
        _secured({"runtime_roles": {}, "lake_formation": {"authorized_session_tag_value": value}}),
        _path("security.lake_formation.authorized_session_tag_value"),
    )


def test_lake_formation_with_trino_warns_that_it_is_spark_only() -> None:
    spec = valid(
        _secured({"runtime_roles": {}, "lake_formation": {}}, applications=["Spark", "Hadoop", "Hive", "Livy", "Trino"])
    )
    assert [w for w in spec.warnings() if w[0] == "lake-formation-spark-only"] == [
        (
            "lake-formation-spark-only",
            "Lake Formation access control on EMR on EC2 applies to Spark jobs; Trino read data without it",
        )
    ]


def test_lake_formation_with_spark_applications_only_does_not_warn() -> None:
    spec = valid(_secured({"runtime_roles": {}, "lake_formation": {}}))
    # Only the advice that HiveServer2 and Livy sessions outside steps and Studio act as the instance profile.
    assert [warning_id for warning_id, _ in spec.warnings()] == ["runtime-roles-direct-sessions"]


def test_fails_malformed_emrfs_role_mapping() -> None:
    mappings = [{"role_arn": "arn:aws:iam::111111111111:user/x", "identifier_type": "Team", "identifiers": []}]
    error = rejects(_secured({"emrfs_role_mappings": mappings}), _path("security.emrfs_role_mappings[0].role_arn"))
    assert [line.split(":")[0] for line in error.lines] == [
        "security.emrfs_role_mappings[0].role_arn",
        "security.emrfs_role_mappings[0].identifier_type",
        "security.emrfs_role_mappings[0].identifiers",
    ]


# -- HBase WAL encryption ------------------------------------------------------------------------------------

HBASE = ["Spark", "Hadoop", "HBase"]


def test_fails_wal_key_without_wal_encryption() -> None:
    _only(
        _secured({"hbase_wal_kms_key_arn": DATA_KEY}, applications=HBASE),
        _path("security.hbase_wal_kms_key_arn") + "a WAL key without WAL encryption does nothing",
    )


def test_fails_wal_encryption_without_hbase() -> None:
    _only(
        _secured({"hbase_wal_encryption": True}),
        _path("security.hbase_wal_encryption") + "the EMR WAL belongs to HBase, which is not installed",
    )


def test_fails_wal_encryption_below_6_15_0() -> None:
    payload = _secured(
        {"hbase_wal_encryption": True, "in_transit": PEM}, release_label="emr-6.14.0", applications=HBASE
    )
    _only(
        payload,
        _path("security.hbase_wal_encryption") + r"EMR WAL for HBase \(and its encryption\) needs emr-6\.15\.0\+, "
        r"not emr-6\.14\.0",
    )


@pytest.mark.parametrize("key", [None, DATA_KEY])
def test_accepts_wal_encryption_on_6_15_0(key: str | None) -> None:
    security = {"hbase_wal_encryption": True, "hbase_wal_kms_key_arn": key, "in_transit": PEM}
    spec = valid(_secured(security, release_label="emr-6.15.0", applications=HBASE))
    assert spec.security.hbase_wal_encryption is True
    assert spec.security.hbase_wal_kms_key_arn == key


# -- release gates -------------------------------------------------------------------------------------------


def _gate(capability: str, requirement: str, release: str) -> str:
    return rf"{re.escape(capability)} needs {re.escape(requirement)}, not emr-{re.escape(release)} "


@pytest.mark.parametrize(("release", "ok"), [("6.6.0", False), ("6.7.0", True)])
def test_runtime_roles_need_6_7_0(release: str, ok: bool) -> None:
    payload = _secured(
        {"in_transit": PEM, "runtime_roles": {"roles": [{"name": "etl"}]}}, release_label=f"emr-{release}"
    )
    if ok:
        assert valid(payload).security.runtime_roles is not None
    else:
        _only(payload, _path("security.runtime_roles") + _gate("runtime roles for steps", "emr-6.7.0+", release))


@pytest.mark.parametrize(("release", "ok"), [("6.14.0", False), ("6.15.0", True)])
def test_lake_formation_needs_6_15_0(release: str, ok: bool) -> None:
    payload = _secured({"in_transit": PEM, "runtime_roles": {}, "lake_formation": {}}, release_label=f"emr-{release}")
    if ok:
        assert valid(payload).security.lake_formation is not None
    else:
        _only(payload, _path("security.lake_formation") + _gate("Lake Formation integration", "emr-6.15.0+", release))


@pytest.mark.parametrize(("release", "ok"), [("6.15.0", False), ("7.0.0", True)])
def test_emr_managed_certificates_need_the_conservative_floor(release: str, ok: bool) -> None:
    payload = _secured({"in_transit": {"certificate_provider": "EMR"}}, release_label=f"emr-{release}")
    if ok:
        assert valid(payload).security.in_transit.certificate_provider == "EMR"
    else:
        _only(
            payload,
            _path("security.in_transit.certificate_provider") + r"EMR-managed TLS certificates .* needs emr-7\.0\.0\+",
        )


def test_pem_and_custom_certificates_have_no_release_floor() -> None:
    custom = {"certificate_provider": "Custom", "custom_provider": PROVIDER}
    for transit in (PEM, custom):
        security = {"in_transit": transit, "imds": None, "local_disk_encryption": {"ebs_encryption": False}}
        assert (
            valid(old_fleet_cluster("emr-5.9.0", security=security)).security.in_transit.certificate_provider != "EMR"
        )


def _old_security(**extra: Any) -> dict[str, Any]:
    """Security settings that releases before 5.23.1 can run: PEM certificates, no IMDS block, no EBS encryption."""
    return {"in_transit": PEM, "imds": None, "local_disk_encryption": {"ebs_encryption": False}, **extra}


# fleet_cluster() uses allocation strategies (emr-5.12.1+), so releases below that use old_fleet_cluster().


@pytest.mark.parametrize(("release", "ok"), [("5.9.0", False), ("5.10.0", True)])
def test_kerberos_needs_5_10_0(release: str, ok: bool) -> None:
    payload = old_fleet_cluster(f"emr-{release}", security=_old_security(kerberos={"realm": REALM}))
    if ok:
        assert valid(payload).security.kerberos is not None
    else:
        _only(payload, _path("security.kerberos") + _gate("Kerberos authentication", "emr-5.10.0+", release))


@pytest.mark.parametrize(("release", "ok"), [("5.19.0", False), ("5.20.0", True)])
def test_external_kdc_needs_5_20_0(release: str, ok: bool) -> None:
    kerberos = {
        "realm": REALM,
        "provider": "ExternalKdc",
        "external_kdc": EXTERNAL,
        "kdc_admin_password_secret_arn": KDC_SECRET,
    }
    payload = _secured(_old_security(kerberos=kerberos), release_label=f"emr-{release}")
    if ok:
        assert valid(payload).security.kerberos is not None
    else:
        _only(payload, _path("security.kerberos.provider") + _gate("an external KDC", "emr-5.20.0+", release))


@pytest.mark.parametrize(
    ("release", "ok"),
    [
        ("5.23.0", False),
        ("5.23.1", True),
        ("5.27.0", False),
        ("5.27.1", True),
        ("5.31.0", False),
        ("5.32.0", True),
        ("5.36.2", True),
        ("6.1.0", False),
        ("6.2.0", True),
    ],
)
def test_imds_settings_need_a_release_that_knows_them(release: str, ok: bool) -> None:
    security = {"in_transit": PEM, "local_disk_encryption": {"ebs_encryption": False}, "imds": {}}
    payload = _secured(security, release_label=f"emr-{release}")
    if ok:
        assert valid(payload).security.imds == ImdsSpec()
    else:
        _only(
            payload,
            _path("security.imds")
            + _gate(
                "instance metadata service settings in security configurations",
                "emr-5.23.1 or emr-5.27.1 or emr-5.32.0+ or emr-6.2.0+",
                release,
            ),
        )


@pytest.mark.parametrize(("release", "ok"), [("5.23.0", False), ("5.24.0", True)])
def test_ebs_encryption_needs_5_24_0(release: str, ok: bool) -> None:
    payload = _secured({"in_transit": PEM, "imds": None}, release_label=f"emr-{release}")
    if ok:
        assert valid(payload).security.local_disk_encryption.ebs_encryption is True
    else:
        _only(
            payload,
            _path("security.local_disk_encryption.ebs_encryption")
            + _gate("EBS encryption through local-disk encryption", "emr-5.24.0+", release),
        )


@pytest.mark.parametrize(("release", "ok"), [("5.9.0", False), ("5.10.0", True)])
def test_emrfs_role_mappings_need_5_10_0(release: str, ok: bool) -> None:
    mappings = [
        {"role_arn": "arn:aws:iam::111111111111:role/analysts", "identifier_type": "Group", "identifiers": ["analysts"]}
    ]
    payload = old_fleet_cluster(f"emr-{release}", security=_old_security(emrfs_role_mappings=mappings))
    if ok:
        assert len(valid(payload).security.emrfs_role_mappings) == 1
    else:
        _only(payload, _path("security.emrfs_role_mappings") + _gate("EMRFS role mappings", "emr-5.10.0+", release))


def test_security_configurations_need_4_8_0() -> None:
    # No fleets before 4.8.0 either, so the security gate is one of the problems, pinned to its path.
    rejects(
        old_fleet_cluster("emr-4.7.0", security=_old_security()),
        _path("security") + _gate("security configurations", "emr-4.8.0+", "4.7.0"),
    )


# -- classifications the security settings derive ------------------------------------------------------------

NO_HIVE_SSL = {"hive.metastore.use.SSL": "false"}


def _by_classification(configs: tuple[ConfigurationSpec, ...]) -> dict[str, dict[str, str]]:
    return {c.classification: dict(c.properties) for c in configs}


@pytest.mark.parametrize("release", ["7.3.0", "7.5.0", "7.13.0"])
def test_kerberos_from_7_3_0_turns_hive_metastore_ssl_off(release: str) -> None:
    spec = valid(_secured({"kerberos": {"realm": REALM}}, release_label=f"emr-{release}"))
    assert spec.security_configurations() == (
        ConfigurationSpec(classification="hive-site", properties=NO_HIVE_SSL),
        ConfigurationSpec(classification="spark-hive-site", properties=NO_HIVE_SSL),
    )
    merged = _by_classification(spec.merged_configurations())
    assert merged["hive-site"] == NO_HIVE_SSL
    assert merged["spark-hive-site"] == NO_HIVE_SSL


def test_kerberos_on_7_2_0_derives_no_classification() -> None:
    spec = valid(_secured({"kerberos": {"realm": REALM}}, release_label="emr-7.2.0"))
    assert spec.security_configurations() == ()
    assert spec.merged_configurations() == ()


def test_no_kerberos_on_7_3_0_derives_no_classification() -> None:
    spec = valid(_secured({"kerberos_waiver": {"reason": REASON}}, release_label="emr-7.3.0"))
    assert spec.merged_configurations() == ()


def test_derived_setting_merges_with_the_users_hive_site() -> None:
    configurations = [{"classification": "hive-site", "properties": {"hive.metastore.use.SSL": False, "a": "b"}}]
    spec = valid(_secured({"kerberos": {"realm": REALM}}, release_label="emr-7.3.0", configurations=configurations))
    merged = _by_classification(spec.merged_configurations())
    assert merged["hive-site"] == {"hive.metastore.use.SSL": "false", "a": "b"}
    assert merged["spark-hive-site"] == NO_HIVE_SSL


def test_fails_user_hive_metastore_ssl_on_with_kerberos_on_7_3_0() -> None:
    configurations = [{"classification": "hive-site", "properties": {"hive.metastore.use.SSL": "true"}}]
    error = _only(
        _secured({"kerberos": {"realm": REALM}}, release_label="emr-7.3.0", configurations=configurations),
        _path("configurations") + "configuration conflict in hive-site property 'hive.metastore.use.SSL'",
    )
    line = error.lines[0]
    assert "configurations[0] sets 'true'" in line
    assert "security (Kerberos with in-transit TLS) sets 'false'" in line


def test_user_hive_metastore_ssl_on_is_fine_without_kerberos() -> None:
    configurations = [{"classification": "hive-site", "properties": {"hive.metastore.use.SSL": "true"}}]
    spec = valid(
        _secured({"kerberos_waiver": {"reason": REASON}}, release_label="emr-7.3.0", configurations=configurations)
    )
    assert _by_classification(spec.merged_configurations()) == {"hive-site": {"hive.metastore.use.SSL": "true"}}


# -- the models on their own ---------------------------------------------------------------------------------


def test_models_raise_validation_errors_outside_a_cluster() -> None:
    with pytest.raises(ValidationError, match=r"custom_provider: CSE-Custom needs a key provider"):
        S3EncryptionSpec(mode="CSE-Custom")
    with pytest.raises(ValidationError, match=r"hop_limit: IMDS response hop limit must be between 1 and 64"):
        ImdsSpec(hop_limit=0)
    with pytest.raises(ValidationError, match=r"lake_formation: Lake Formation on EMR authorises runtime roles"):
        SecuritySpec.model_validate({"lake_formation": {}})


def test_security_spec_is_frozen() -> None:
    spec = SecuritySpec()
    with pytest.raises(ValidationError):
        spec.hbase_wal_encryption = True  # type: ignore[misc]
