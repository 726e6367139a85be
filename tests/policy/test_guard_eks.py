"""The replacement guard knows the EMR on EKS resources: a change to a create-only property of a virtual cluster,
its security configuration, a managed endpoint or a job template is a replacement (cfn-lint's registry schemas)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from emr_constructs.policy.guard import compare, create_only_paths
from emr_constructs.policy.templates import load_templates

VIRTUAL_CLUSTER: dict[str, Any] = {
    "Type": "AWS::EMRContainers::VirtualCluster",
    "Properties": {
        "Name": "analytics",
        "ContainerProvider": {"Id": "platform", "Type": "EKS", "Info": {"EksInfo": {"Namespace": "emr-jobs"}}},
        "SecurityConfigurationId": "abc123",
    },
}


def _write(directory: Path, resources: dict[str, Any]) -> Path:
    directory.mkdir(parents=True)
    (directory / "Eks.template.json").write_text(json.dumps({"Resources": resources}))
    return directory


@pytest.mark.parametrize(
    ("resource_type", "expected"),
    [
        ("AWS::EMRContainers::VirtualCluster", {("Name",), ("ContainerProvider",), ("SecurityConfigurationId",)}),
        ("AWS::EMRContainers::SecurityConfiguration", {("Name",), ("SecurityConfigurationData",)}),
        ("AWS::EMRContainers::Endpoint", {("ExecutionRoleArn",), ("ReleaseLabel",), ("VirtualClusterId",)}),
    ],
)
def test_the_guard_knows_the_create_only_properties(resource_type: str, expected: set[tuple[str, ...]]) -> None:
    assert expected <= set(create_only_paths(resource_type))


def test_a_new_security_configuration_replaces_the_virtual_cluster(tmp_path: Path) -> None:
    old = _write(tmp_path / "old", {"VC": VIRTUAL_CLUSTER})
    changed = copy.deepcopy(VIRTUAL_CLUSTER)
    changed["Properties"]["SecurityConfigurationId"] = "def456"
    new = _write(tmp_path / "new", {"VC": changed})
    (found,) = compare(load_templates([old]), load_templates([new]))
    assert (found.kind, found.type, found.reasons) == (
        "replaced",
        "AWS::EMRContainers::VirtualCluster",
        ("SecurityConfigurationId changed (create-only)",),
    )
