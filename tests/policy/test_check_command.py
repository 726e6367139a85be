"""`emr-constructs check` on template fixtures: JSON and short-form YAML, a transient job flow, references across
templates, waivers, the three output formats, exit codes, and this repository's own cdk.out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from emr_constructs.cli import main
from tests.policy.fixtures import as_json, cluster, template
from tests.stacks.conftest import SynthesisedApp, dev_app  # noqa: F401 - the session fixture

#: The fixture is tagged multi-tenant, so losing its security configuration also loses its runtime roles (AUTH1).
INSECURE_IDS = ["EmrChecks-EMR-AUTH1", "EmrChecks-EMR-LOG1", "EmrChecks-EMR-OPS2", "EmrChecks-EMR-SEC1"]


def _insecure() -> dict[str, Any]:
    body = template()
    del cluster(body)["SecurityConfiguration"]
    del cluster(body)["LogUri"]
    spot = cluster(body)["Instances"]["TaskInstanceFleets"][0]["LaunchSpecifications"]["SpotSpecification"]
    spot["TimeoutAction"] = "TERMINATE_CLUSTER"
    return body


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _ids(report: str) -> list[str]:
    return sorted(f["rule"] for f in json.loads(report)["findings"] if not f["waived"])


@pytest.fixture
def insecure_json(tmp_path: Path) -> Path:
    path = tmp_path / "insecure.json"
    path.write_text(as_json(_insecure()))
    return path


YAML_SHORT_FORM = """
Parameters:
  Release: {Type: String, Default: emr-7.12.0}
Resources:
  Logs:
    Type: AWS::S3::Bucket
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: !Sub "${AWS::StackName}-cluster"
      ReleaseLabel: !Ref Release
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      LogUri: !Sub "s3://${Logs}/emr/"
      Instances:
        Ec2SubnetId: subnet-0123456789abcdef0
        MasterInstanceGroup: {InstanceCount: 1, InstanceType: m5.xlarge}
        CoreInstanceGroup: {InstanceCount: 2, InstanceType: m5.xlarge}
"""


def test_json_findings_in_text(capsys: pytest.CaptureFixture[str], insecure_json: Path) -> None:
    status, out, _ = _run(capsys, str(insecure_json), "--no-cfn-lint")
    assert status == 1
    assert "ERROR   EmrChecks-EMR-SEC1" in out and "insecure:Cluster" in out
    assert "Security configuration referenced: the cluster names no security configuration" in out
    assert "Fix: Create an AWS::EMR::SecurityConfiguration" in out
    assert "WARNING EmrChecks-EMR-OPS2" in out
    assert out.strip().endswith("3 error(s), 1 warning(s), 0 waived, 0 cfn-lint finding(s)")


def test_the_same_findings_in_json_and_sarif(capsys: pytest.CaptureFixture[str], insecure_json: Path) -> None:
    _, out, _ = _run(capsys, str(insecure_json), "--no-cfn-lint", "--format", "json")
    assert _ids(out) == INSECURE_IDS
    finding = json.loads(out)["findings"][0]
    assert finding["template"] == str(insecure_json) and finding["logicalId"] == "Cluster"
    _, sarif_text, _ = _run(capsys, str(insecure_json), "--no-cfn-lint", "--format", "sarif")
    sarif = json.loads(sarif_text)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    assert sorted(r["ruleId"] for r in run["results"]) == INSECURE_IDS
    result = next(r for r in run["results"] if r["ruleId"] == "EmrChecks-EMR-SEC1")
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(insecure_json)
    assert result["locations"][0]["logicalLocations"][0]["name"] == "Cluster"
    rules = run["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "EmrChecks-EMR-SEC1"
    assert all(r["helpUri"].startswith("docs/policy-rules.md#") for r in rules)


def test_short_form_yaml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(YAML_SHORT_FORM)
    status, out, _ = _run(capsys, str(path), "--format", "json", "--region", "eu-west-1")
    assert status == 1
    found = _ids(out)
    assert {"EmrChecks-EMR-SEC1", "EmrChecks-EMR-LOG2", "EmrChecks-EMR-OPS1", "EmrChecks-EMR-NET2"} <= set(found)
    assert "EmrChecks-EMR-LOG1" not in found, "LogUri is set through !Sub"
    assert "EmrChecks-EMR-NET1" not in found, "a literal subnet id is outside the templates: not applicable"
    assert "EmrChecks-EMR-REL1" not in found, "a parameter release is not applicable"


def test_waivers_use_cdk_nag_metadata(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    body = _insecure()
    body["Resources"]["Cluster"]["Metadata"] = {
        "cdk_nag": {
            "rules_to_suppress": [
                {"id": "EmrChecks-EMR-OPS2", "reason": "batch cluster; a Spot shortage may fail it, and it reruns"},
                {"id": "EmrChecks-EMR-LOG1", "reason": ""},
            ]
        }
    }
    path = tmp_path / "waived.json"
    path.write_text(as_json(body))
    status, out, _ = _run(capsys, str(path), "--no-cfn-lint", "--format", "json")
    assert status == 1
    findings = json.loads(out)["findings"]
    waived = [f for f in findings if f["waived"]]
    assert [(f["rule"], f["waiverReason"]) for f in waived] == [
        ("EmrChecks-EMR-OPS2", "batch cluster; a Spot shortage may fail it, and it reruns")
    ]
    assert _ids(out) == ["EmrChecks-EMR-AUTH1", "EmrChecks-EMR-LOG1", "EmrChecks-EMR-SEC1", "EmrChecks-EMR-WAIVER"]
    waiver = next(f for f in findings if f["rule"] == "EmrChecks-EMR-WAIVER")
    assert "EmrChecks-EMR-LOG1 has no reason" in waiver["message"]
    _, sarif, _ = _run(capsys, str(path), "--no-cfn-lint", "--format", "sarif")
    suppressed = [r for r in json.loads(sarif)["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["EmrChecks-EMR-OPS2"]


def _state_machine(request: dict[str, Any]) -> dict[str, Any]:
    definition = {
        "StartAt": "CreateCluster",
        "States": {
            "CreateCluster": {
                "Type": "Task",
                "Resource": "ARN_PLACEHOLDER",
                "Parameters": request,
                "End": True,
            }
        },
    }
    text = json.dumps(definition)
    before, after = text.split('"ARN_PLACEHOLDER"')
    return {
        "Resources": {
            "Flow": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::111111111111:role/flow",
                    "DefinitionString": {
                        "Fn::Join": [
                            "",
                            [
                                before + '"arn:',
                                {"Ref": "AWS::Partition"},
                                ':states:::elasticmapreduce:createCluster.sync"' + after,
                            ],
                        ]
                    },
                },
            }
        }
    }


def test_transient_job_flow_requests_are_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    request = {
        "Name": "nightly",
        "ReleaseLabel": "emr-7.12.0",
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
        "Instances": {
            "Ec2SubnetIds": ["subnet-1"],
            "KeepJobFlowAliveWhenNoSteps": False,
            "InstanceFleets": [
                {
                    "InstanceFleetType": "MASTER",
                    "TargetOnDemandCapacity": 1,
                    "InstanceTypeConfigs": [{"InstanceType": "m7g.xlarge"}],
                },
                {
                    "InstanceFleetType": "CORE",
                    "TargetSpotCapacity": 2,
                    "InstanceTypeConfigs": [{"InstanceType": "m7g.2xlarge"}],
                },
            ],
        },
    }
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(_state_machine(request)))
    status, out, _ = _run(capsys, str(path), "--no-cfn-lint", "--format", "json")
    assert status == 1
    findings = json.loads(out)["findings"]
    assert {f["where"] for f in findings} == {"Flow/CreateCluster"}
    assert {"EmrChecks-EMR-SEC1", "EmrChecks-EMR-LOG1", "EmrChecks-EMR-OPS1", "EmrChecks-EMR-OPS2"} <= set(_ids(out))


def test_imports_are_followed_across_templates(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    body = template()
    network = {
        "Resources": {
            "Public": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24", "MapPublicIpOnLaunch": True},
            }
        },
        "Outputs": {"Subnet": {"Value": {"Ref": "Public"}, "Export": {"Name": "shared-subnet"}}},
    }
    cluster(body)["Instances"]["Ec2SubnetIds"] = [{"Fn::ImportValue": "shared-subnet"}]
    (tmp_path / "cluster.json").write_text(json.dumps(body))
    (tmp_path / "network.json").write_text(json.dumps(network))
    status, out, _ = _run(capsys, str(tmp_path), "--no-cfn-lint", "--format", "json")
    assert status == 1
    (finding,) = json.loads(out)["findings"]
    assert finding["rule"] == "EmrChecks-EMR-NET1" and "subnet Public assigns public IP addresses" in finding["message"]


def test_this_repositorys_cdk_out_passes(capsys: pytest.CaptureFixture[str], dev_app: SynthesisedApp) -> None:  # noqa: F811
    status, out, _ = _run(capsys, dev_app.assembly.directory, "--region", "eu-west-1")
    assert status == 0, out
    # The one waiver: the job flow leaves UnhealthyNodeReplacement out of its request (NEWER_REQUEST_FIELDS).
    lines = out.strip().splitlines()
    assert lines[-1] == "0 error(s), 0 warning(s), 1 waived, 0 cfn-lint finding(s)"
    assert [line.split()[:2] for line in lines[:-1]] == [["waived", "EmrChecks-EMR-OPS4"]]


def test_writes_the_report_to_a_file(capsys: pytest.CaptureFixture[str], insecure_json: Path, tmp_path: Path) -> None:
    report = tmp_path / "emr.sarif"
    status, out, _ = _run(capsys, str(insecure_json), "--no-cfn-lint", "--format", "sarif", "--output", str(report))
    assert status == 1 and json.loads(report.read_text())["version"] == "2.1.0"
    assert "3 error(s), 1 warning(s)" in out


def test_cfn_lint_findings_count(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    body = template()
    cluster(body)["NotAProperty"] = 1
    path = tmp_path / "lint.json"
    path.write_text(as_json(body))
    status, out, _ = _run(capsys, str(path), "--region", "eu-west-1")
    assert status == 1
    assert "cfn-lint " in out and "E3002" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable CloudFormation template"),
        ('{"AWSTemplateFormatVersion": "2010-09-09"}', "no Resources"),
    ],
)
def test_fails_on_unreadable_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    status, _, err = _run(capsys, str(path))
    assert status == 2 and message in err and "Traceback" not in err


def test_fails_on_a_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = _run(capsys, str(tmp_path / "nope"))
    assert status == 2 and "no such file or directory" in err


def test_fails_on_a_bad_release_floor(capsys: pytest.CaptureFixture[str], insecure_json: Path) -> None:
    status, _, err = _run(capsys, str(insecure_json), "--release-floor", "7.0")
    assert status == 2 and "--release-floor" in err


def test_the_example_workflow_runs_synth_check_with_sarif_and_the_guard() -> None:
    workflow = yaml.safe_load(Path(".github/workflows/policy.yml").read_text())
    steps = workflow["jobs"]["policy"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "make synth" in runs
    assert any("emr-constructs check cdk.out --format sarif" in run for run in runs)
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif") for step in steps)
    assert any(run.startswith("make guard") for run in runs)
    assert workflow[True] == {"pull_request": None}, "runs on pull requests"
    caches = [step["with"].get("cache") for step in steps if "setup-" in step.get("uses", "")]
    assert caches == ["pip", "npm"]


def test_fails_check_on_cfn_lint_errors_in_every_template(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """One cfn-lint runner lints every template: a bad property in the first and a dangling DependsOn in the second
    are both reported, each under its own file, and the command fails."""
    first, second = template(), template()
    first["Resources"]["Logs"] = {"Type": "AWS::S3::Bucket", "Properties": {"NoSuchProperty": "x"}}
    second["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic", "DependsOn": "Missing"}
    (tmp_path / "a.template.json").write_text(as_json(first))
    (tmp_path / "b.template.json").write_text(as_json(second))
    status, out, _ = _run(capsys, str(tmp_path), "--region", "eu-west-1")
    assert status != 0
    found = [line.removeprefix("cfn-lint ") for line in out.splitlines() if line.startswith("cfn-lint ")]
    assert any(line.startswith(f"{tmp_path / 'a.template.json'}: E3002 ") for line in found), out
    assert any(line.startswith(f"{tmp_path / 'b.template.json'}: E3005 ") for line in found), out
    assert out.strip().endswith(f"{len(found)} cfn-lint finding(s)")
