"""EmrChecks as a cdk-nag pack: an insecure raw CfnCluster fails synth with the same findings that
`emr-constructs check` reports on its template; acknowledgments waive; this library's clusters pass."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from emr_constructs.cli import main
from emr_constructs.policy.nag_pack import EmrChecks
from tests.policy.fixtures import template
from tests.policy.test_check_command import INSECURE_IDS, _insecure
from tests.stacks.conftest import SynthesisedApp, dev_app  # noqa: F401 - the session fixture


def _raw_app(body: dict[str, Any], *, with_pack: bool = True) -> tuple[cdk.App, cdk.Stack]:
    """The template's resources as raw L1 resources (what another team's CDK app holds), with the same ids."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-"))
    stack = cdk.Stack(app, "TeamStack")
    for logical_id, resource in body["Resources"].items():
        cfn = cdk.CfnResource(stack, logical_id, type=resource["Type"], properties=resource.get("Properties"))
        cfn.override_logical_id(logical_id)
    if with_pack:
        cdk.Validations.of(app).add_plugins(EmrChecks(app))
    return app, stack


def _report(app: cdk.App) -> list[str]:
    try:
        app.synth()
    except RuntimeError as error:
        assert "Validation failed" in str(error) or "ValidationFailed" in str(error)
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    return sorted(
        violation["ruleName"].removeprefix("EmrChecks::")
        for plugin in report["pluginReports"]
        if plugin["pluginName"] == "EmrChecks"
        for violation in plugin["violations"]
    )


def test_an_insecure_raw_cluster_fails_synth_with_the_check_commands_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = _insecure()
    app, _ = _raw_app(body)
    with pytest.raises(RuntimeError, match=r"ValidationFailed: ERROR Security configuration referenced"):
        app.synth()
    assert _report(_raw_app(body)[0]) == INSECURE_IDS

    plain, stack = _raw_app(body, with_pack=False)
    assembly = plain.synth()
    template = Path(assembly.directory) / f"{stack.artifact_id}.template.json"
    assert main(["check", str(template), "--no-cfn-lint", "--format", "json"]) == 1
    found = sorted(f["rule"] for f in json.loads(capsys.readouterr().out)["findings"])
    assert found == INSECURE_IDS


def test_messages_say_what_and_how_to_fix() -> None:
    app, _ = _raw_app(_insecure())
    with pytest.raises(RuntimeError):
        app.synth()
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "EmrChecks"]
    sec1 = next(v for v in plugin["violations"] if v["ruleName"].endswith("EMR-SEC1"))
    assert "the cluster names no security configuration" in sec1["description"]
    assert "Fix: Create an AWS::EMR::SecurityConfiguration" in sec1["description"]
    assert sec1["violatingConstructs"][0]["constructPath"] == "TeamStack/Cluster"


def test_a_compliant_raw_cluster_passes() -> None:
    app, _ = _raw_app(template())
    app.synth()
    assert _report(app) == []


def test_acknowledgments_waive_findings() -> None:
    app, stack = _raw_app(_insecure())
    resource = stack.node.find_child("Cluster")
    cdk.Validations.of(resource).acknowledge(
        cdk.Acknowledgment(id="EmrChecks::EmrChecks-EMR-OPS2", reason="batch cluster; a Spot shortage may fail it")
    )
    assert _report(app) == ["EmrChecks-EMR-AUTH1", "EmrChecks-EMR-LOG1", "EmrChecks-EMR-SEC1"]


def test_references_between_stacks_are_followed() -> None:
    body = template()
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-"))
    network = cdk.Stack(app, "Network")
    subnet = cdk.CfnResource(
        network,
        "Public",
        type="AWS::EC2::Subnet",
        properties={"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24", "MapPublicIpOnLaunch": True},
    )
    team = cdk.Stack(app, "TeamStack")
    for logical_id, resource in body["Resources"].items():
        if logical_id in ("Private", "Vpc"):
            continue
        properties = resource.get("Properties")
        if logical_id == "Cluster":
            properties = json.loads(json.dumps(properties))
            properties["Instances"]["Ec2SubnetIds"] = [subnet.ref]
        cdk.CfnResource(team, logical_id, type=resource["Type"], properties=properties).override_logical_id(logical_id)
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    assert _report(app) == ["EmrChecks-EMR-NET1"]


def test_the_default_app_passes(dev_app: SynthesisedApp) -> None:  # noqa: F811
    report = EmrChecks().validate_scope(dev_app.app)
    assert report.success and report.violations == []
