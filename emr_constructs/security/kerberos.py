"""The cluster's ``KerberosAttributes``: passwords only as Secrets Manager dynamic references."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from emr_constructs.render.fields import Rendered, compact
from emr_constructs.spec.kerberos import KerberosSpec

# Characters kadmin and EMR's bootstrap handle without quoting trouble are kept; the rest excluded.
_EXCLUDED = "\"'`\\ $/@:;{}[]()<>|&!?*#%^~,"


@dataclass(frozen=True)
class KerberosWiring:
    """``KerberosAttributes`` (PascalCase, dynamic references) and the secret generated for the KDC, if any."""

    attributes: Rendered
    generated_secret: secretsmanager.Secret | None


def _reference(secret_arn: str) -> str:
    return cdk.SecretValue.secrets_manager(secret_arn).unsafe_unwrap()


def kerberos_attributes(
    scope: Construct, spec: KerberosSpec, *, encryption_key: kms.IKey | None = None
) -> KerberosWiring:
    """Build ``KerberosAttributes`` for ``spec``; a cluster-dedicated KDC without a given admin password gets a
    generated one (Secrets Manager, encrypted with ``encryption_key``), referenced as ``{{resolve:...}}``.

    :param encryption_key: the KMS key of a generated KDC admin password secret.
        Default: ``None``, the AWS managed key ``aws/secretsmanager``.
    """
    generated: secretsmanager.Secret | None = None
    if spec.kdc_admin_password_secret_arn is not None:
        admin_password = _reference(spec.kdc_admin_password_secret_arn)
    else:
        generated = secretsmanager.Secret(
            scope,
            "KdcAdminPassword",
            description="Admin password of the EMR cluster's dedicated KDC (read by EMR at cluster creation)",
            encryption_key=encryption_key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_characters=_EXCLUDED, require_each_included_type=True
            ),
        )
        reason = (
            "EMR reads the KDC admin password once, when it creates the cluster's dedicated KDC; rotating the "
            "secret would not change the KDC's password, so rotation would only break the link between them. "
            "The cluster is replaced, not rotated, to change it."
        )
        cdk.Validations.of(generated.node.default_child).acknowledge(  # type: ignore[arg-type]
            cdk.Acknowledgment(id="AwsSolutions::AwsSolutions-SMG4", reason=reason),
            cdk.Acknowledgment(id="HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled", reason=reason),
            cdk.Acknowledgment(id="NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled", reason=reason),
        )
        admin_password = generated.secret_value.unsafe_unwrap()
    trust = spec.cross_realm_trust
    directory = spec.external_kdc.active_directory if spec.external_kdc is not None else None
    join_user = directory.domain_join_user if directory else (trust.ad_domain_join_user if trust else None)
    join_secret = (
        directory.domain_join_password_secret_arn
        if directory
        else (trust.ad_domain_join_password_secret_arn if trust else None)
    )
    attributes = compact(
        {
            "Realm": spec.realm,
            "KdcAdminPassword": admin_password,
            "CrossRealmTrustPrincipalPassword": _reference(trust.password_secret_arn) if trust else None,
            "ADDomainJoinUser": join_user,
            "ADDomainJoinPassword": _reference(join_secret) if join_secret else None,
        }
    )
    return KerberosWiring(attributes=attributes, generated_secret=generated)
