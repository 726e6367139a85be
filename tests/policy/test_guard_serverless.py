"""``guard`` on EMR Serverless applications: a new Name or Type replaces one (create-only in the resource schema),
and every update or delete needs it stopped first (EMR Serverless API Reference, UpdateApplication and
DeleteApplication; CloudFormation does not stop it), reported as warnings that do not fail the guard."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.cli import main
from emr_constructs.policy.guard import SERVERLESS_STOP_FIRST, compare, create_only_paths
from emr_constructs.policy.templates import load_templates

APPLICATION: dict[str, Any] = {
    "Type": "AWS::EMRServerless::Application",
    "Properties": {
        "Name": "spark-serverless",
        "ReleaseLabel": "emr-7.12.0",
        "Type": "Spark",
        "MaximumCapacity": {"Cpu": "32 vCPU", "Memory": "128 GB"},
    },
}


def _write(directory: Path, resources: dict[str, Any]) -> Path:
    directory.mkdir(parents=True)
    (directory / "Serverless.template.json").write_text(json.dumps({"Resources": resources}))
    return directory


def _pair(tmp_path: Path, candidate: dict[str, Any]) -> tuple[Path, Path]:
    return _write(tmp_path / "old", {"App": APPLICATION}), _write(tmp_path / "new", candidate)


def _changed(**properties: Any) -> dict[str, Any]:
    changed = copy.deepcopy(APPLICATION)
    changed["Properties"].update(properties)
    return {"App": changed}


def test_name_and_type_are_create_only_in_the_schema() -> None:
    assert {("Name",), ("Type",)} <= set(create_only_paths("AWS::EMRServerless::Application"))


@pytest.mark.parametrize(
    ("candidate", "kind", "reason"),
    [
        (_changed(Name="spark-2"), "replaced", "Name changed (create-only)"),
        (_changed(MaximumCapacity={"Cpu": "64 vCPU", "Memory": "256 GB"}), "updated", "updated in place"),
        ({}, "removed", "removed: it is no longer in the template"),
    ],
    ids=["rename", "capacity", "removal"],
)
def test_changes_to_an_application_say_to_stop_it_first(
    tmp_path: Path, candidate: dict[str, Any], kind: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = _pair(tmp_path, candidate)
    (found,) = compare(load_templates([old]), load_templates([new]))
    assert (found.kind, found.blocking) == (kind, False)
    assert found.reasons[0].startswith(reason) and found.reasons[-1] == SERVERLESS_STOP_FIRST
    assert main(["guard", "--baseline", str(old), "--candidate", str(new)]) == 0
    out = capsys.readouterr().out
    assert f"WARN         Serverless:App (AWS::EMRServerless::Application) {kind}" in out


def test_an_unchanged_application_is_not_reported(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, {"App": copy.deepcopy(APPLICATION)})
    assert compare(load_templates([old]), load_templates([new])) == []


def test_the_guard_knows_the_studio_create_only_properties(tmp_path: Path) -> None:
    """AWS::EMR::Studio: AuthMode, the security groups, roles, VPC, key and Identity Center settings replace it."""
    paths = set(create_only_paths("AWS::EMR::Studio"))
    assert {("AuthMode",), ("ServiceRole",), ("VpcId",), ("EncryptionKeyArn",), ("WorkspaceSecurityGroupId",)} <= paths
    studio = {
        "Type": "AWS::EMR::Studio",
        "Properties": {"Name": "dev", "AuthMode": "IAM", "VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-1"]},
    }
    old = _write(tmp_path / "old", {"Studio": studio})
    changed = copy.deepcopy(studio)
    changed["Properties"]["AuthMode"] = "SSO"
    new = _write(tmp_path / "new", {"Studio": changed})
    (found,) = compare(load_templates([old]), load_templates([new]))
    assert (found.kind, found.type, found.reasons) == (
        "replaced",
        "AWS::EMR::Studio",
        ("AuthMode changed (create-only)",),
    )
