"""Render a ``SecuritySpec`` to the JSON document of ``AWS::EMR::SecurityConfiguration``.

The shape follows EMR Management Guide "emr-create-security-configuration.html" exactly: the encryption flags
and blocks live under ``EncryptionConfiguration``; nothing is added that EMR does not document (EMR validates
the document). Pure: key ARNs may be CDK tokens and pass through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emr_constructs.render.fields import Rendered, compact
from emr_constructs.spec.kerberos import KerberosSpec
from emr_constructs.spec.security import CustomProviderSpec, SecuritySpec


@dataclass(frozen=True)
class SecurityKeys:
    """KMS key ARNs the construct supplies where the spec leaves keys unset."""

    s3_data: str | None = None
    local_disk: str | None = None


def _custom(provider: CustomProviderSpec, class_key: str) -> Rendered:
    return {"S3Object": provider.s3_uri, class_key: provider.provider_class}


def _key(given: str | None, supplied: str | None, what: str) -> str:
    key = given or supplied
    if key is None:
        raise ValueError(f"{what} needs a KMS key: set it in the spec or pass SecurityKeys({what}=...)")
    return key


def s3_encryption(spec: SecuritySpec, keys: SecurityKeys) -> Rendered:
    s3 = spec.s3_encryption
    rendered: Rendered = {"EncryptionMode": s3.mode}
    if s3.mode in ("SSE-KMS", "CSE-KMS"):
        rendered["AwsKmsKey"] = _key(s3.kms_key_arn, keys.s3_data, "s3_data")
    if s3.mode == "CSE-Custom" and s3.custom_provider is not None:
        rendered.update(_custom(s3.custom_provider, "EncryptionKeyProviderClass"))
    overrides = [
        compact(
            {
                "BucketName": o.bucket,
                "EncryptionMode": o.mode,
                "AwsKmsKey": _key(o.kms_key_arn, keys.s3_data, "s3_data") if o.mode != "SSE-S3" else None,
            }
        )
        for o in s3.overrides
    ]
    return compact({**rendered, "Overrides": overrides})


def local_disk_encryption(spec: SecuritySpec, keys: SecurityKeys) -> Rendered:
    disk = spec.local_disk_encryption
    if disk.provider == "Custom" and disk.custom_provider is not None:
        return {"EncryptionKeyProviderType": "Custom", **_custom(disk.custom_provider, "EncryptionKeyProviderClass")}
    return {
        "EncryptionKeyProviderType": "AwsKms",
        "AwsKmsKey": _key(disk.kms_key_arn, keys.local_disk, "local_disk"),
        "EnableEbsEncryption": disk.ebs_encryption,
    }


def tls_certificates(spec: SecuritySpec) -> Rendered:
    transit = spec.in_transit
    if transit.certificate_provider == "PEM":
        return {"CertificateProviderType": "PEM", "S3Object": transit.pem_s3_uri}
    if transit.certificate_provider == "Custom" and transit.custom_provider is not None:
        return {"CertificateProviderType": "Custom", **_custom(transit.custom_provider, "CertificateProviderClass")}
    return {"CertificateProviderType": "EMR"}


def kerberos(spec: KerberosSpec) -> Rendered:
    if spec.provider == "ExternalKdc" and spec.external_kdc is not None:
        external = spec.external_kdc
        directory = external.active_directory
        return {
            "Provider": "ExternalKdc",
            "ExternalKdcConfiguration": compact(
                {
                    "KdcServerType": "Single",
                    "AdminServer": external.admin_server,
                    "KdcServer": external.kdc_server,
                    "TicketLifetimeInHours": spec.ticket_lifetime_hours,
                    "AdIntegrationConfiguration": compact(
                        {"AdRealm": directory.realm, "AdDomain": directory.domain, "AdServer": directory.server}
                    )
                    if directory
                    else None,
                }
            ),
        }
    trust = spec.cross_realm_trust
    return {
        "Provider": "ClusterDedicatedKdc",
        "ClusterDedicatedKdcConfiguration": compact(
            {
                "TicketLifetimeInHours": spec.ticket_lifetime_hours,
                "CrossRealmTrustConfiguration": {
                    "Realm": trust.realm,
                    "Domain": trust.domain,
                    "AdminServer": trust.admin_server,
                    "KdcServer": trust.kdc_server,
                }
                if trust
                else None,
            }
        ),
    }


def authorization(spec: SecuritySpec) -> Rendered | None:
    runtime = spec.runtime_roles
    return (
        compact(
            {
                "IAMConfiguration": {
                    "EnableApplicationScopedIAMRole": True,
                    "ApplicationScopedIAMRoleConfiguration": {
                        "PropagateSourceIdentity": runtime.propagate_source_identity
                    },
                }
                if runtime is not None
                else None,
                "LakeFormationConfiguration": {
                    "AuthorizedSessionTagValue": spec.lake_formation.authorized_session_tag_value
                }
                if spec.lake_formation is not None
                else None,
                "EmrFsConfiguration": {
                    "RoleMappings": [
                        {"Role": m.role_arn, "IdentifierType": m.identifier_type, "Identifiers": list(m.identifiers)}
                        for m in spec.emrfs_role_mappings
                    ]
                }
                if spec.emrfs_role_mappings
                else None,
            }
        )
        or None
    )


def render_security_configuration(spec: SecuritySpec, keys: SecurityKeys) -> dict[str, Any]:
    """The whole security configuration document."""
    encryption: Rendered = {
        "EnableInTransitEncryption": True,
        "EnableAtRestEncryption": True,
        "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": tls_certificates(spec)},
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": s3_encryption(spec, keys),
            "LocalDiskEncryptionConfiguration": local_disk_encryption(spec, keys),
        },
    }
    if spec.hbase_wal_encryption:
        # {} selects an EMR-owned key (SSE-EMR-WAL); AwsKmsKey a customer-managed one (SSE-KMS-WAL).
        encryption["EMRWALEncryptionConfiguration"] = compact({"AwsKmsKey": spec.hbase_wal_kms_key_arn})
    return compact(
        {
            "EncryptionConfiguration": encryption,
            "AuthenticationConfiguration": {"KerberosConfiguration": kerberos(spec.kerberos)}
            if spec.kerberos
            else None,
            "AuthorizationConfiguration": authorization(spec),
            "InstanceMetadataServiceConfiguration": {
                "MinimumInstanceMetadataServiceVersion": spec.imds.minimum_version,
                "HttpPutResponseHopLimit": spec.imds.hop_limit,
            }
            if spec.imds is not None
            else None,
        }
    )
