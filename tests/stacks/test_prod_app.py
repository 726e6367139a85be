"""config/prod.yaml: three primaries, fixed role names, no NAT; it passes every policy check and cfn-lint."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from stacks import build_app, project_context
from tests.templates import cfn_lint, normalise

PROD = Path(__file__).resolve().parents[2] / "config" / "prod.yaml"


@pytest.fixture(scope="module")
def templates() -> dict[str, dict[str, Any]]:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="prod-app-"), context=project_context())
    build_app(PROD, app)
    assembly = app.synth()  # raises on any unacknowledged cdk-nag finding
    return {stack.stack_name: stack.template for stack in assembly.stacks}


def _resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def test_stacks(templates: dict[str, dict[str, Any]]) -> None:
    assert sorted(templates) == ["emr-prod-platform", "emr-prod-stateful"]


@pytest.mark.parametrize("stack", ["emr-prod-stateful", "emr-prod-platform"])
def test_cfn_lint_is_clean(templates: dict[str, dict[str, Any]], stack: str) -> None:
    assert cfn_lint(templates[stack]) == []


@pytest.mark.parametrize("stack", ["emr-prod-stateful", "emr-prod-platform"])
def test_snapshot(templates: dict[str, dict[str, Any]], stack: str, snapshot: Any) -> None:
    assert normalise(templates[stack]) == snapshot


def test_three_primaries_with_termination_protection(templates: dict[str, dict[str, Any]]) -> None:
    (cluster,) = _resources(templates["emr-prod-platform"], "AWS::EMR::Cluster")
    properties = cluster["Properties"]
    assert properties["Instances"]["MasterInstanceFleet"]["TargetOnDemandCapacity"] == 3
    assert properties["Instances"]["TerminationProtected"] is True
    assert properties["PlacementGroupConfigs"] == [{"InstanceRole": "MASTER", "PlacementStrategy": "SPREAD"}]
    assert "AutoTerminationPolicy" not in properties
    assert (
        properties["EbsRootVolumeSize"],
        properties["EbsRootVolumeIops"],
        properties["EbsRootVolumeThroughput"],
    ) == (
        40,
        3000,
        250,
    )


def test_roles_carry_the_configured_name_prefix(templates: dict[str, dict[str, Any]]) -> None:
    names = sorted(r["Properties"]["RoleName"] for r in _resources(templates["emr-prod-platform"], "AWS::IAM::Role"))
    assert names == ["emr-prod-platform-EmrInstanceRole", "emr-prod-platform-EmrServiceRole"]


def test_no_nat_gateway_and_no_public_subnet(templates: dict[str, dict[str, Any]]) -> None:
    stateful = templates["emr-prod-stateful"]
    assert _resources(stateful, "AWS::EC2::NatGateway") == []
    assert _resources(stateful, "AWS::EC2::InternetGateway") == []
    assert all(not s["Properties"].get("MapPublicIpOnLaunch") for s in _resources(stateful, "AWS::EC2::Subnet"))
    assert "Fn::ImportValue" not in json.dumps(templates["emr-prod-platform"])
