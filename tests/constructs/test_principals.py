"""``service_principal`` shares one object per service across stacks and apps: each stack still renders it for its
own Region and partition, exactly as a principal made for that stack alone."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from emr_constructs.iam.principals import service_principal

SERVICES = ("ec2.amazonaws.com", "emr.amazonaws.com", "states.amazonaws.com", "logs.amazonaws.com")
REGIONS = ("eu-west-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1")


def _trusts(region: str) -> dict[str, tuple[Any, Any]]:
    """Per service: the trust principal of a role given the shared principal, and of one given a new principal."""
    stack = cdk.Stack(cdk.App(), "Principals", env=cdk.Environment(account="111111111111", region=region))
    for service in SERVICES:
        iam.Role(stack, f"Shared-{service}", assumed_by=service_principal(service))
        iam.Role(stack, f"Fresh-{service}", assumed_by=iam.ServicePrincipal(service))
    resources = cdk.assertions.Template.from_stack(stack).to_json()["Resources"]

    def principal(prefix: str, service: str) -> Any:
        (role,) = [r for k, r in resources.items() if k.startswith(f"{prefix}{service.split('.')[0]}")]
        return role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]

    return {service: (principal("Shared", service), principal("Fresh", service)) for service in SERVICES}


@pytest.mark.parametrize("region", REGIONS)
def test_the_shared_principal_renders_as_a_new_one_in_every_region(region: str) -> None:
    for service, (shared, fresh) in _trusts(region).items():
        assert shared == fresh, service


def test_one_object_per_service() -> None:
    assert service_principal("emr.amazonaws.com") is service_principal("emr.amazonaws.com")
    assert service_principal("emr.amazonaws.com") is not service_principal("ec2.amazonaws.com")
