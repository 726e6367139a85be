"""EMR on EKS: the names a virtual cluster takes, and the service-account subjects its job execution role trusts.

Limits come from botocore's ``emr-containers`` model (``ResourceNameString``, ``KubernetesNamespace``) and EKS's
CreateCluster (a cluster name: 1-100 characters starting with a letter or digit). The IRSA subject is what
``aws emr-containers update-role-trust-policy`` writes (aws-cli, ``awscli/customizations/emrcontainers``; EMR on
EKS Development Guide, "Update the trust policy of the job execution role"); the Pod Identity service accounts are
those ``aws emr-containers create-role-associations`` associates (setting-up-enable-IAM, emr-7.3.0 and later).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from emr_constructs.spec import aws_data
from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.eks_security import LAKE_FORMATION_RELEASE, EksSecuritySpec
from emr_constructs.spec.eks_templates import EksJobTemplateSpec, ManagedEndpointSpec
from emr_constructs.spec.problems import ProblemCollector

#: ResourceNameString (virtual clusters, job templates, job runs) and KubernetesNamespace (a DNS label), from
#: botocore's emr-containers model; an EKS cluster's name from its eks model.
NAME = aws_data.shape_constraints("emr-containers", "ResourceNameString")
NAMESPACE = aws_data.shape_constraints("emr-containers", "KubernetesNamespace")
#: The documented forms ``emr-X.Y.Z-latest`` and ``emr-X.Y.Z-YYYYMMDD`` (emr-eks-releases).
RELEASE_PATTERN = r"^emr-\d+\.\d+\.\d+-(latest|\d{8})$"
#: Pod Identity for StartJobRun: emr-7.3.0 and later.
POD_IDENTITY_RELEASE = (7, 3, 0)
#: The service accounts of a StartJobRun job (create-role-associations, type start_job_run).
POD_IDENTITY_COMPONENTS = ("client", "driver", "executor")
#: An EKS cluster's OIDC issuer (``aws eks describe-cluster --query cluster.identity.oidc.issuer``).
OIDC_ISSUER = r"^https://oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[A-Za-z0-9]{1,64}$"
#: IAM role names: 1-64 of ``[\w+=,.@-]`` (IAM API Reference, CreateRole RoleName).
ROLE_NAME = r"^[\w+=,.@-]{1,64}$"
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def release_version(release_label: str) -> tuple[int, int, int]:
    """``(major, minor, patch)`` of an ``emr-X.Y.Z-...`` label (one that matched ``RELEASE_PATTERN``)."""
    match = re.match(r"^emr-(\d+)\.(\d+)\.(\d+)-", release_label)
    assert match is not None  # the fields' patterns guarantee it
    return int(match[1]), int(match[2]), int(match[3])


def base36_role_name(role_name: str) -> str:
    """The role name as the EMR on EKS service accounts carry it: its bytes read as one big-endian number, written
    in lowercase base 36 without padding (aws-cli ``emrcontainers/base36.py``)."""
    number = int.from_bytes(role_name.encode("utf-8"), "big")
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = _BASE36[digit] + digits
    return digits or _BASE36[0]


def irsa_subject(namespace: str, account: str, role_name: str) -> str:
    """The ``<issuer>:sub`` value (``StringLike``) of the IRSA trust statement: every EMR on EKS service account of
    jobs in ``namespace`` that run as ``role_name``, and no other."""
    return f"system:serviceaccount:{namespace}:emr-containers-sa-*-*-{account}-{base36_role_name(role_name)}"


def pod_identity_service_accounts(account: str, role_name: str, framework: str = "spark") -> tuple[str, ...]:
    """The service accounts a StartJobRun job of ``framework`` uses with EKS Pod Identity, one per component."""
    encoded = base36_role_name(role_name)
    return tuple(f"emr-containers-sa-{framework}-{part}-{account}-{encoded}" for part in POD_IDENTITY_COMPONENTS)


class VirtualClusterSpec(SpecModel):
    """A virtual cluster: ``name``, the EKS cluster (``eks_cluster``, by name) and the namespace its jobs run in.

    ``identity`` is how job pods get the execution role: ``irsa`` (default; IAM roles for service accounts, which
    needs the cluster's OIDC issuer ``oidc_issuer`` registered as an IAM OIDC provider) or ``pod_identity`` (EKS
    Pod Identity, emr-7.3.0 and later, with the Pod Identity Agent add-on on the cluster). ``execution_role_name``
    is fixed because the trust condition carries it (default: the stack's choice). ``cluster_access``:
    ``access_entries`` (default; EMR creates the access entry with the virtual cluster, which needs the cluster's
    authentication mode API_AND_CONFIG_MAP) or ``aws_auth`` (the legacy ConfigMap route, only where access entries
    cannot be used). ``security`` is the security configuration (default: encrypted local disks and SSE-KMS).
    ``job_templates`` (default: none) and ``managed_endpoint`` (for EMR Studio; default: none) use the virtual
    cluster's execution role and logs.
    """

    name: str = Field(pattern=NAME[0], min_length=NAME[1], max_length=NAME[2])
    eks_cluster: str = Field(pattern=r"^[0-9A-Za-z][A-Za-z0-9\-_]*$", min_length=1, max_length=100)
    namespace: str = Field(pattern=NAMESPACE[0], min_length=NAMESPACE[1], max_length=NAMESPACE[2])
    release_label: str = Field(pattern=RELEASE_PATTERN)
    identity: Literal["irsa", "pod_identity"] = "irsa"
    oidc_issuer: str | None = Field(default=None, pattern=OIDC_ISSUER)
    execution_role_name: str | None = Field(default=None, pattern=ROLE_NAME)
    cluster_access: Literal["access_entries", "aws_auth"] = "access_entries"
    security: EksSecuritySpec = Field(default_factory=EksSecuritySpec)
    job_templates: tuple[EksJobTemplateSpec, ...] = ()
    managed_endpoint: ManagedEndpointSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> VirtualClusterSpec:
        problems = ProblemCollector(self)
        if self.identity == "irsa" and self.oidc_issuer is None:
            problems.add(
                "oidc_issuer",
                None,
                "IAM roles for service accounts trust the EKS cluster's OIDC provider",
                "set oidc_issuer to the cluster's issuer URL (aws eks describe-cluster --name <cluster> "
                "--query cluster.identity.oidc.issuer), or use identity: pod_identity",
            )
        if self.identity == "pod_identity" and self.oidc_issuer is not None:
            problems.add(
                "oidc_issuer", self.oidc_issuer, "EKS Pod Identity uses no OIDC provider", "remove oidc_issuer"
            )
        if self.identity == "pod_identity" and self.release_version < POD_IDENTITY_RELEASE:
            problems.add(
                "identity",
                self.identity,
                f"EKS Pod Identity needs emr-7.3.0 or later (got {self.release_label}; setting-up-enable-IAM)",
                "raise release_label or use identity: irsa",
            )
        lake_formation = self.security.lake_formation
        if lake_formation is not None:
            if self.release_version < LAKE_FORMATION_RELEASE:
                problems.add(
                    "security.lake_formation",
                    self.release_label,
                    "Lake Formation with EMR on EKS needs emr-7.7.0 or later (security_iam_fgac-lf)",
                    "raise release_label or remove lake_formation",
                )
            if lake_formation.system_namespace == self.namespace:
                problems.add(
                    "security.lake_formation.system_namespace",
                    lake_formation.system_namespace,
                    "the system driver runs in a namespace of its own, not the jobs' namespace",
                    "name another namespace (the guide uses one per virtual cluster, for example <namespace>-system)",
                )
        names = [t.name for t in self.job_templates]
        for index, name in enumerate(names):
            if names.index(name) != index:
                problems.add(f"job_templates[{index}].name", name, "two job templates share a name", "rename one")
        problems.raise_if_any()
        return self

    @property
    def release_version(self) -> tuple[int, int, int]:
        return release_version(self.release_label)

    @property
    def oidc_provider(self) -> str | None:
        """The issuer without ``https://``: the IAM OIDC provider's name and the condition keys' prefix."""
        return self.oidc_issuer.removeprefix("https://") if self.oidc_issuer else None
