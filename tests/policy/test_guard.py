"""The replacement guard on the prod app (a long-running, termination-protected cluster): each create-only class
is flagged, references spread replacement, renames and removals are reported, in-place changes pass."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

from emr_constructs.cli import main
from emr_constructs.policy.guard import compare, create_only_paths
from emr_constructs.policy.templates import load_templates
from stacks import build_app, project_context

PROD = Path("config/prod.yaml")
STATEFUL = "emr-prod-stateful"
CLUSTER = "emr-prod-platform"
Edit = Callable[[dict[str, dict[str, Any]]], None]


def _synth(config: Path) -> Path:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="guard-"), context=project_context())
    build_app(config, app, policy_checks=False)
    return Path(app.synth().directory)


@pytest.fixture(scope="module")
def baseline() -> Path:
    return _synth(PROD)


def _templates(directory: Path) -> dict[str, dict[str, Any]]:
    return {p.name.removesuffix(".template.json"): json.loads(p.read_text()) for p in directory.glob("*.template.json")}


def _candidate(baseline: Path, edit: Edit) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="guard-candidate-"))
    shutil.copy(baseline / "manifest.json", directory / "manifest.json")
    templates = _templates(baseline)
    edit(templates)
    for name, body in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(body))
    return directory


def _resource(templates: dict[str, dict[str, Any]], stack: str, kind: str) -> tuple[str, dict[str, Any]]:
    found = [(k, r) for k, r in templates[stack]["Resources"].items() if r["Type"] == kind]
    return found[0]


def _cluster(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = _resource(templates, CLUSTER, "AWS::EMR::Cluster")[1]["Properties"]
    return properties


def _run(baseline: Path, candidate: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["guard", "--baseline", str(baseline), "--candidate", str(candidate)])
    return status, capsys.readouterr().out


def _spark_defaults(templates: dict[str, dict[str, Any]]) -> None:
    for configuration in _cluster(templates)["Configurations"]:
        if configuration["Classification"] == "spark-defaults":
            configuration["ConfigurationProperties"]["spark.executor.memory"] = "12g"


def _security_configuration(templates: dict[str, dict[str, Any]]) -> None:
    _, resource = _resource(templates, CLUSTER, "AWS::EMR::SecurityConfiguration")
    document = resource["Properties"]["SecurityConfiguration"]
    document["InstanceMetadataServiceConfiguration"]["HttpPutResponseHopLimit"] = 2


def _subnet(templates: dict[str, dict[str, Any]]) -> None:
    for resource in templates[STATEFUL]["Resources"].values():
        if resource["Type"] == "AWS::EC2::Subnet":
            resource["Properties"]["CidrBlock"] = resource["Properties"]["CidrBlock"].replace("10.", "172.", 1)


def _release(templates: dict[str, dict[str, Any]]) -> None:
    _cluster(templates)["ReleaseLabel"] = "emr-7.13.0"


def _bootstrap_script(templates: dict[str, dict[str, Any]]) -> None:
    # What editing a repository script does: its asset, and so the action's S3 path, changes.
    _cluster(templates).setdefault("BootstrapActions", []).append(
        {"Name": "new", "ScriptBootstrapAction": {"Path": "s3://cdk-assets/0123456789abcdef.sh"}}
    )


def _task_capacity(templates: dict[str, dict[str, Any]]) -> None:
    _cluster(templates)["Instances"]["TaskInstanceFleets"][0]["TargetSpotCapacity"] += 4


def _scaling_limits(templates: dict[str, dict[str, Any]]) -> None:
    _cluster(templates)["ManagedScalingPolicy"]["ComputeLimits"]["MaximumCapacityUnits"] += 10


def _tags(templates: dict[str, dict[str, Any]]) -> None:
    _cluster(templates)["Tags"].append({"Key": "cost-centre", "Value": "42"})


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (_spark_defaults, "Configurations changed (create-only)"),
        (_security_configuration, "SecurityConfiguration changed (create-only; refers to replaced"),
        (_subnet, "Instances.Ec2SubnetIds changed (create-only)"),
        (_release, "ReleaseLabel changed (create-only)"),
        (_bootstrap_script, "BootstrapActions changed (create-only; a script's content"),
    ],
    ids=["spark-defaults", "security-configuration", "subnet", "release-label", "bootstrap-action"],
)
def test_flags_replacing_the_long_running_cluster(
    baseline: Path, edit: Edit, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _run(baseline, _candidate(baseline, edit), capsys)
    assert status == 1, out
    assert f"FAIL         {CLUSTER}:" in out and "(long-running cluster) replaced" in out
    assert reason in out


def test_a_security_configuration_change_also_replaces_the_configuration(baseline: Path) -> None:
    found = compare(load_templates([baseline]), load_templates([_candidate(baseline, _security_configuration)]))
    kinds = sorted((r.type, r.kind) for r in found)
    assert kinds == [("AWS::EMR::Cluster", "replaced"), ("AWS::EMR::SecurityConfiguration", "replaced")]
    cluster = next(r for r in found if r.type == "AWS::EMR::Cluster")
    assert cluster.long_running and cluster.blocking


@pytest.mark.parametrize("edit", [_task_capacity, _scaling_limits, _tags], ids=["task-capacity", "scaling", "tags"])
def test_passes_in_place_changes(baseline: Path, edit: Edit, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run(baseline, _candidate(baseline, edit), capsys)
    assert status == 0, out
    assert out.strip() == "no EMR resource is replaced or removed"


def test_a_renamed_logical_id_is_a_replacement(baseline: Path) -> None:
    def rename(templates: dict[str, dict[str, Any]]) -> None:
        logical_id, _ = _resource(templates, CLUSTER, "AWS::EMR::Cluster")
        templates[CLUSTER]["Resources"]["PlatformCluster"] = templates[CLUSTER]["Resources"].pop(logical_id)

    (found,) = compare(load_templates([baseline]), load_templates([_candidate(baseline, rename)]))
    assert found.kind == "renamed" and found.new_logical_id == "PlatformCluster" and found.blocking
    assert "CloudFormation deletes" in found.reasons[0]


def test_a_removed_cluster_is_reported(baseline: Path) -> None:
    def remove(templates: dict[str, dict[str, Any]]) -> None:
        logical_id, _ = _resource(templates, CLUSTER, "AWS::EMR::Cluster")
        del templates[CLUSTER]["Resources"][logical_id]

    (found,) = compare(load_templates([baseline]), load_templates([_candidate(baseline, remove)]))
    assert found.kind == "removed" and found.blocking


def _acknowledged(templates: dict[str, dict[str, Any]]) -> None:
    _spark_defaults(templates)
    _, resource = _resource(templates, CLUSTER, "AWS::EMR::Cluster")
    resource.setdefault("Metadata", {})["emr-constructs"] = {"acknowledge-replacement": "maintenance window 2026-12-01"}


def _unprotected_but_long_running(templates: dict[str, dict[str, Any]]) -> None:
    cluster = _cluster(templates)
    cluster["Instances"]["TerminationProtected"] = False
    cluster["Tags"].append({"Key": "emr-constructs:long-running", "Value": "true"})


def test_an_acknowledged_replacement_of_an_unprotected_cluster_passes(
    baseline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _candidate(baseline, _unprotected_but_long_running)
    status, out = _run(base, _candidate(base, _acknowledged), capsys)
    assert status == 0
    assert "ACKNOWLEDGED" in out and "acknowledged: maintenance window 2026-12-01" in out


def test_fails_replacing_a_protected_cluster_even_acknowledged_and_gives_the_procedure(
    baseline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = _run(baseline, _candidate(baseline, _acknowledged), capsys)
    assert status == 1 and out.startswith("FAIL"), out
    assert "termination protection is on in the deployed cluster: EMR refuses to terminate it" in out
    assert "do it in two deploys: (1) set termination_protection: false" in out


def test_turning_protection_off_is_in_place_and_then_the_replacement_passes(
    baseline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    step_one = _candidate(baseline, _unprotected_but_long_running)
    status, out = _run(baseline, step_one, capsys)
    assert status == 0 and out.startswith("no EMR resource is replaced"), out
    status, out = _run(step_one, _candidate(step_one, _acknowledged), capsys)
    assert status == 0 and "ACKNOWLEDGED" in out, out


def test_transient_clusters_only_warn(baseline: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _candidate(baseline, lambda t: _cluster(t)["Instances"].pop("TerminationProtected"))
    status, out = _run(base, _candidate(base, _spark_defaults), capsys)
    assert status == 0 and out.startswith("WARN")


def test_the_config_acknowledgment_reaches_the_template(
    tmp_path: Path, baseline: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = yaml.safe_load(PROD.read_text())
    platform = config["clusters"][0]
    for configuration in platform["configurations"]:
        if configuration["classification"] == "spark-defaults":
            configuration["properties"]["spark.executor.memory"] = "12g"
    changed = tmp_path / "prod.yaml"
    changed.write_text(yaml.safe_dump(config))
    status, out = _run(baseline, _synth(changed), capsys)
    assert status == 1 and "Configurations changed" in out, out
    platform["acknowledge_replacement"] = "executor memory raised in the 2026-12-01 maintenance window"
    changed.write_text(yaml.safe_dump(config))
    status, out = _run(baseline, _synth(changed), capsys)
    # The deployed prod cluster is protected: acknowledged, yet blocked until protection is off (two deploys).
    assert status == 1 and "acknowledged: executor memory raised" in out, out
    assert "do it in two deploys" in out


def test_create_only_paths_come_from_the_schema_plus_the_supplement() -> None:
    paths = create_only_paths("AWS::EMR::Cluster")
    assert ("Configurations",) in paths and ("ReleaseLabel",) in paths  # from cfn-lint's schema
    assert ("Instances", "Ec2SubnetIds") in paths and ("Instances", "KeepJobFlowAliveWhenNoSteps") in paths
    assert ("Instances", "TaskInstanceFleets") not in paths
    assert create_only_paths("AWS::Not::AType") == ()


def test_fails_on_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guard", "--baseline", str(tmp_path / "nope"), "--candidate", str(tmp_path)]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_prod_is_multi_tenant_and_passes_the_rules(baseline: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from emr_constructs.policy.clusters import cluster_views
    from emr_constructs.policy.rules import BY_ID, Options

    templates = load_templates([baseline])
    (view,) = [v for v in cluster_views(templates) if v.source == "AWS::EMR::Cluster"]
    assert BY_ID["EMR-AUTH1"].check(view, Options()).status == "COMPLIANT"
    assert main(["check", str(baseline), "--region", "eu-west-1"]) == 0, capsys.readouterr().out
