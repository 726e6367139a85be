"""EMR on EKS: the names a virtual cluster takes, and the service-account subjects its job execution role trusts.

Limits come from botocore's ``emr-containers`` model (``ResourceNameString``, ``KubernetesNamespace``) and EKS's
CreateCluster (a cluster name: 1-100 characters starting with a letter or digit). The IRSA subject is what
``aws emr-containers update-role-trust-policy`` writes (aws-cli, ``awscli/customizations/emrcontainers``; EMR on
EKS Development Guide, "Update the trust policy of the job execution role"); the Pod Identity service accounts are
those ``aws emr-containers create-role-associations`` associates (setting-up-enable-IAM, emr-7.3.0 and later).
"""

from __future__ import annotations

import re

from pydantic import Field

from emr_constructs.spec import aws_data
from emr_constructs.spec.base import SpecModel

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
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


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
    """A virtual cluster: ``name``, the EKS cluster (``eks_cluster``, by name) and the namespace its jobs run in."""

    name: str = Field(pattern=NAME[0], min_length=NAME[1], max_length=NAME[2])
    eks_cluster: str = Field(pattern=r"^[0-9A-Za-z][A-Za-z0-9\-_]*$", min_length=1, max_length=100)
    namespace: str = Field(pattern=NAMESPACE[0], min_length=NAMESPACE[1], max_length=NAMESPACE[2])
    release_label: str = Field(pattern=RELEASE_PATTERN)

    @property
    def release_version(self) -> tuple[int, int, int]:
        match = re.match(r"^emr-(\d+)\.(\d+)\.(\d+)-", self.release_label)
        assert match is not None  # the field's pattern guarantees it
        return int(match[1]), int(match[2]), int(match[3])
