"""EmrChecks as a cdk-nag pack: an insecure raw CfnCluster fails synth with the same findings that
`emr-constructs check` reports on its template; acknowledgments waive; this library's clusters pass; a resource the
pack cannot read is reported (EMR-READ1), never judged as empty."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_emr as emr

from emr_constructs.cli import main
from emr_constructs.policy import nag_pack
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
    pack = EmrChecks()
    report = pack.validate_scope(dev_app.app)
    # validate_scope applies no acknowledgments: the one finding is the job flow's acknowledged EMR-OPS4 (the
    # request leaves out UnhealthyNodeReplacement, NEWER_REQUEST_FIELDS); app.synth() passes (the dev_app fixture).
    assert [v.rule_name for v in report.violations] == ["EmrChecks-EMR-OPS4"]
    assert "emr-dev-daily-totals/JobFlow/StateMachine/Resource" in str(report.violations[0].violating_resources)
    assert pack._unreadable == {}, "every resource the rules read renders"


def _plugin(app: cdk.App) -> dict[str, Any]:
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    (plugin,) = [p for p in report["pluginReports"] if p["pluginName"] == "EmrChecks"]
    return dict(plugin)


#: What jsii raises when an L1 rejects its properties (the text is the one CfnCluster gives).
_REJECTED = 'Error: Supplied properties not correct for "CfnClusterProps"\n  visibleToAllUsers: "x" should be a boolean'


@dataclass(frozen=True)
class Unreadable:
    app: cdk.App
    pack: EmrChecks
    error: RuntimeError


@pytest.fixture(scope="module")
def unreadable() -> Iterator[Unreadable]:
    """The compliant raw app, synthesised once with the pack's reading failing for the cluster, the instance role
    (types the rules read) and the VPC (a type they do not read). In a synthesis the templates are written before
    the validation plugins run, so the failure is injected: the written template is taken as missing (the pack
    then reads each resource from the construct tree) and reading fails as a RuntimeError (what jsii raises)."""
    broken = {"TeamStack/Cluster", "TeamStack/InstanceRole", "TeamStack/Vpc"}
    render = nag_pack._render

    def failing(stack: cdk.Stack, resource: cdk.CfnResource) -> Any:
        if resource.node.path in broken:
            raise RuntimeError(_REJECTED)
        return render(stack, resource)

    app, _ = _raw_app(template(), with_pack=False)
    pack = EmrChecks(app)
    cdk.Validations.of(app).add_plugins(pack)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nag_pack, "_render", failing)
        patch.setattr(nag_pack, "_written_template", lambda stack: None)
        with pytest.raises(RuntimeError) as raised:
            app.synth()
    yield Unreadable(app, pack, raised.value)


def test_fails_on_a_resource_whose_properties_cannot_be_rendered(unreadable: Unreadable) -> None:
    assert "ValidationFailed: ERROR Resource properties could not be read" in str(unreadable.error)
    (violation,) = _plugin(unreadable.app)["violations"]
    assert violation["ruleName"] == "EmrChecks-EMR-READ1"
    assert violation["severity"] == "error"
    description = violation["description"]
    assert "the pack could not read this resource's properties from its synthesised template (RuntimeError: " in (
        description
    )
    assert 'visibleToAllUsers: "x" should be a boolean' in description
    assert "Fix: Register the pack with `Validations.of(app).add_plugins(...)`" in description
    paths = sorted(v["constructPath"] for v in violation["violatingConstructs"])
    assert paths == ["TeamStack/Cluster", "TeamStack/InstanceRole"]


def test_the_rules_do_not_judge_an_unreadable_cluster_as_empty(unreadable: Unreadable) -> None:
    # An empty cluster would fail EMR-SEC1, EMR-LOG1, EMR-NET1...: only the reading failure is reported.
    assert _report(unreadable.app) == ["EmrChecks-EMR-READ1"]


def test_other_resources_are_read_as_before(unreadable: Unreadable) -> None:
    # The VPC is of a type the rules do not read: its properties are never read, so it cannot be unreadable.
    assert sorted(unreadable.pack._unreadable) == ["TeamStack/Cluster", "TeamStack/InstanceRole"]
    templates = unreadable.pack._templates
    assert templates is not None
    (team,) = templates.templates.values()
    resources = team.resources
    assert resources["Cluster"]["Properties"] == {}
    assert resources["Security"]["Properties"] == template()["Resources"]["Security"]["Properties"]
    assert resources["Private"]["Properties"]["MapPublicIpOnLaunch"] is False


def test_a_synthesised_app_is_read_from_its_written_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack reads each stack's written template once; it renders no resource on its own (which would cost
    round trips per resource), so a rendering that would fail is never reached."""

    def failing(stack: cdk.Stack, resource: cdk.CfnResource) -> Any:
        raise RuntimeError(_REJECTED)

    monkeypatch.setattr(nag_pack, "_render", failing)
    body = template()
    for logical_id in ("Cluster", "InstanceRole", "InstanceProfile", "ServiceRole"):
        del body["Resources"][logical_id]
    assert _report(_raw_app(body)[0]) == []
    with_role = template()
    del with_role["Resources"]["Cluster"]
    assert _report(_raw_app(with_role)[0]) == []


def test_errors_other_than_renderings_are_not_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what reading raises (RuntimeError, JSIIError) is a reading failure; a bug in the pack stays a bug."""

    def buggy(stack: cdk.Stack, resource: cdk.CfnResource) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(nag_pack, "_render", buggy)
    stack = cdk.Stack(cdk.App(), "Stack")
    role = cdk.CfnResource(stack, "Role", type="AWS::IAM::Role", properties={"AssumeRolePolicyDocument": {}})
    with pytest.raises(KeyError):
        nag_pack._properties(stack, role)


def test_tokens_where_an_l1_wants_a_boolean_or_a_struct_are_read_as_synthesis_writes_them() -> None:
    """``Fn.condition_if`` where an L1 wants a boolean or a struct: the pack reads what synthesis wrote."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-"))
    stack = cdk.Stack(app, "TeamStack")
    cdk.CfnCondition(stack, "Prod", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "eu-west-1"))
    cluster = emr.CfnCluster(
        stack,
        "Cluster",
        name="raw",
        release_label="emr-7.12.0",
        job_flow_role="EMR_EC2_DefaultRole",
        service_role="EMR_DefaultRole",
        visible_to_all_users=cdk.Fn.condition_if("Prod", True, False),
        auto_termination_policy=cdk.Fn.condition_if("Prod", {"IdleTimeout": 3600}, cdk.Aws.NO_VALUE),
        instances=emr.CfnCluster.JobFlowInstancesConfigProperty(
            termination_protected=cdk.Fn.condition_if("Prod", True, False),
        ),
    )
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    found = _report(app)
    assert "EmrChecks-EMR-READ1" not in found
    assert "EmrChecks-EMR-OPS1" not in found  # the AutoTerminationPolicy was read
    written = json.loads((Path(app.outdir) / f"{stack.artifact_id}.template.json").read_text())
    assert nag_pack._properties(stack, cluster) == (written["Resources"]["Cluster"]["Properties"], None)


def test_fails_on_an_app_that_is_not_synthesised() -> None:
    """validate_scope before app.synth(): no template is written, so every resource the rules read is EMR-READ1,
    never judged as empty (an empty cluster would fail EMR-SEC1, EMR-LOG1...)."""
    app, _ = _raw_app(template(), with_pack=False)
    pack = EmrChecks()
    report = pack.validate_scope(app)
    assert {v.rule_name for v in report.violations} == {"EmrChecks-EMR-READ1"}
    (violation,) = report.violations
    assert "is not written: synthesise the app (app.synth()) first" in violation.description
    assert "TeamStack/Cluster" in str(violation.violating_resources)


def test_reads_raw_overrides_as_synthesis_writes_them() -> None:
    """The template in the cloud assembly carries add_property_override: the rules judge what CloudFormation gets."""
    app, stack = _raw_app(template())
    cluster = stack.node.find_child("Cluster")
    assert isinstance(cluster, cdk.CfnResource)
    cluster.add_deletion_override("Properties.SecurityConfiguration")
    assert "EmrChecks-EMR-SEC1" in _report(app)
