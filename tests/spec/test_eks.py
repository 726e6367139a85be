"""EMR on EKS names and the service-account subjects of a job execution role (IRSA and Pod Identity)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from emr_constructs.spec.eks import (
    NAME,
    NAMESPACE,
    VirtualClusterSpec,
    base36_role_name,
    irsa_subject,
    pod_identity_service_accounts,
)

VALID: dict[str, Any] = {
    "name": "analytics",
    "eks_cluster": "platform",
    "namespace": "emr-jobs",
    "release_label": "emr-7.12.0-latest",
    "oidc_issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
}


def test_base36_is_the_aws_cli_encoding() -> None:
    """aws-cli's emrcontainers/base36.py: the name's bytes as a big-endian number in lowercase base 36. The value
    is aws-cli's own for this name (the Pod Identity page's example encodes a trailing newline)."""
    assert base36_role_name("JobExecutionRoleIRSAv2") == "c7ohmynrs14q04uudoef8n97xdufwajzua"
    assert base36_role_name("a") == "2p"  # 97 = 2 * 36 + 25
    assert int(base36_role_name("emr-job-role"), 36).to_bytes(12, "big") == b"emr-job-role"


def test_the_irsa_subject_is_one_namespace_and_one_role() -> None:
    assert irsa_subject("emr-jobs", "111111111111", "JobExecutionRoleIRSAv2") == (
        "system:serviceaccount:emr-jobs:emr-containers-sa-*-*-111111111111-c7ohmynrs14q04uudoef8n97xdufwajzua"
    )


def test_pod_identity_service_accounts_are_the_three_spark_components() -> None:
    accounts = pod_identity_service_accounts("111111111111", "JobExecutionRoleIRSAv2")
    assert accounts == tuple(
        f"emr-containers-sa-spark-{part}-111111111111-c7ohmynrs14q04uudoef8n97xdufwajzua"
        for part in ("client", "driver", "executor")
    )


def test_limits_are_botocore_s() -> None:
    assert NAME == ("^(?:[\\.\\-_/#A-Za-z0-9]+)$", 1, 64)
    assert NAMESPACE[1:] == (1, 63)


def test_a_virtual_cluster_spec() -> None:
    spec = VirtualClusterSpec.model_validate(VALID)
    assert spec.release_version == (7, 12, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "has space"),
        ("name", "x" * 65),
        ("namespace", "Upper"),
        ("namespace", "-leading"),
        ("namespace", "a" * 64),
        ("eks_cluster", "_platform"),
        ("release_label", "emr-7.12.0"),
    ],
)
def test_fails_a_virtual_cluster_name(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        VirtualClusterSpec.model_validate({**VALID, field: value})
