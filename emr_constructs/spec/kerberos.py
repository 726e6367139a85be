"""Kerberos settings of a cluster: a cluster-dedicated KDC (optionally trusting another realm) or an external KDC,
possibly backed by Active Directory (EMR Management Guide, "Use Kerberos for authentication with Amazon EMR")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.tokens import TOKENS_ALLOWED

SECRET_ARN = r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$"

__all__ = ["SECRET_ARN", "ActiveDirectorySpec", "CrossRealmTrustSpec", "ExternalKdcSpec", "KerberosSpec"]


class CrossRealmTrustSpec(SpecModel):
    """A one-way trust from the cluster's KDC to another realm (an Active Directory domain, typically).

    ``password_secret_arn`` holds the trust principal's password, which must equal the one set on the other
    realm; with Active Directory, ``ad_domain_join_user`` and ``ad_domain_join_password_secret_arn`` name the
    account that joins nodes to the domain. Secrets are passed to CloudFormation by dynamic reference.
    """

    realm: str = Field(pattern=r"^[A-Z0-9.-]+$")
    domain: str = Field(pattern=r"^[a-z0-9.-]+$")
    admin_server: str = Field(min_length=1)
    kdc_server: str = Field(min_length=1)
    password_secret_arn: Annotated[str, Field(pattern=SECRET_ARN), TOKENS_ALLOWED]
    ad_domain_join_user: str | None = Field(default=None, min_length=1)
    ad_domain_join_password_secret_arn: Annotated[str, Field(pattern=SECRET_ARN), TOKENS_ALLOWED] | None = None

    @model_validator(mode="after")
    def _check(self) -> CrossRealmTrustSpec:
        if (self.ad_domain_join_user is None) != (self.ad_domain_join_password_secret_arn is None):
            problems = ProblemCollector(self)
            problems.add(
                "ad_domain_join_user",
                self.ad_domain_join_user,
                "joining an Active Directory domain needs both the user and its password secret",
                "set both ad_domain_join_user and ad_domain_join_password_secret_arn, or neither",
            )
            problems.raise_if_any()
        return self


class ActiveDirectorySpec(SpecModel):
    """Active Directory integration of an external KDC, with the account that joins nodes to the domain."""

    realm: str = Field(pattern=r"^[A-Z0-9.-]+$")
    domain: str = Field(pattern=r"^[a-z0-9.-]+$")
    server: str | None = Field(default=None, min_length=1)
    domain_join_user: str = Field(min_length=1)
    domain_join_password_secret_arn: Annotated[str, Field(pattern=SECRET_ARN), TOKENS_ALLOWED]


class ExternalKdcSpec(SpecModel):
    """An external MIT KDC (``KdcServerType: Single``), optionally trusting Active Directory."""

    admin_server: str = Field(min_length=1)
    kdc_server: str = Field(min_length=1)
    active_directory: ActiveDirectorySpec | None = None


class KerberosSpec(SpecModel):
    """Kerberos authentication. Default provider: a cluster-dedicated KDC with 24-hour tickets.

    For a cluster-dedicated KDC the admin password is generated in Secrets Manager by the construct unless
    ``kdc_admin_password_secret_arn`` names one; an external KDC needs that secret (its existing password).
    Passwords reach CloudFormation only as dynamic references, never as literals.
    """

    provider: Literal["ClusterDedicatedKdc", "ExternalKdc"] = "ClusterDedicatedKdc"
    realm: str = Field(pattern=r"^[A-Z0-9.-]+$")
    ticket_lifetime_hours: int = Field(default=24, ge=1, le=8760, strict=True)
    kdc_admin_password_secret_arn: Annotated[str, Field(pattern=SECRET_ARN), TOKENS_ALLOWED] | None = None
    cross_realm_trust: CrossRealmTrustSpec | None = None
    external_kdc: ExternalKdcSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> KerberosSpec:
        problems = ProblemCollector(self)
        if self.provider == "ExternalKdc":
            if self.external_kdc is None:
                problems.add(
                    "external_kdc",
                    None,
                    "an ExternalKdc provider needs the KDC's servers",
                    "set external_kdc: {admin_server: ..., kdc_server: ...}",
                )
            if self.cross_realm_trust is not None:
                problems.add(
                    "cross_realm_trust",
                    "set",
                    "cross-realm trust is configured on a cluster-dedicated KDC",
                    "use external_kdc.active_directory for an external KDC",
                )
            if self.kdc_admin_password_secret_arn is None:
                problems.add(
                    "kdc_admin_password_secret_arn",
                    None,
                    "an external KDC needs its admin password",
                    "store it in Secrets Manager and set kdc_admin_password_secret_arn to the secret's ARN",
                )
        elif self.external_kdc is not None:
            problems.add("external_kdc", "set", "a cluster-dedicated KDC takes no external KDC", "remove it")
        directory = self.external_kdc.active_directory if self.external_kdc is not None else None
        if directory is not None and directory.realm == self.realm:
            problems.add(
                "external_kdc.active_directory.realm",
                self.realm,
                "the Active Directory realm must differ from the cluster's realm",
                "name the AD realm in capitals",
            )
        if self.cross_realm_trust is not None and self.cross_realm_trust.realm == self.realm:
            problems.add(
                "cross_realm_trust.realm",
                self.realm,
                "the trusted realm must differ from the cluster's realm",
                "name the other realm (for example the Active Directory domain in capitals)",
            )
        problems.raise_if_any()
        return self
