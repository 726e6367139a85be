"""Config settings the default apps do not use: an existing VPC and a permissions boundary."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

from stacks import DEFAULT_CONFIG, build_app, project_context
from tests.templates import cfn_lint

BOUNDARY = "arn:aws:iam::111111111111:policy/platform-boundary"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    data["network"] = {
        "existing": {
            "vpc_id": "vpc-0123456789abcdef0",
            "private_subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
            "cidr": "10.60.0.0/16",
        }
    }
    data["iam"] = {"role_name_prefix": "corp", "permissions_boundary_arn": BOUNDARY}
    data["account_baseline"] = {"enabled": True, "glue_catalog_encryption": True}
    path: Path = tmp_path_factory.mktemp("config") / "variant.yaml"
    path.write_text(yaml.safe_dump(data))
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="variant-app-"), context=project_context())
    build_app(path, app)
    assembly = app.synth()  # with every policy check
    return {stack.stack_name: stack.template for stack in assembly.stacks}


def _resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def test_existing_vpc_is_imported_not_created(templates: dict[str, dict[str, Any]]) -> None:
    stateful = templates["emr-dev-stateful"]
    assert _resources(stateful, "AWS::EC2::VPC") == []
    assert len(_resources(stateful, "AWS::EC2::SecurityGroup")) == 3
    (cluster,) = _resources(templates["emr-dev-analytics"], "AWS::EMR::Cluster")
    assert cluster["Properties"]["Instances"]["Ec2SubnetIds"] == [
        "subnet-0123456789abcdef0",
        "subnet-0123456789abcdef1",
        "subnet-0123456789abcdef2",
    ]


def test_every_cluster_role_has_the_boundary_and_the_prefix(templates: dict[str, dict[str, Any]]) -> None:
    roles = _resources(templates["emr-dev-analytics"], "AWS::IAM::Role")
    assert len(roles) == 2
    for role in roles:
        assert role["Properties"]["PermissionsBoundary"] == BOUNDARY
        assert role["Properties"]["RoleName"].startswith("corp-analytics-")


@pytest.mark.parametrize("stack", ["emr-dev-stateful", "emr-dev-analytics", "emr-dev-account-baseline"])
def test_cfn_lint_is_clean(templates: dict[str, dict[str, Any]], stack: str) -> None:
    assert cfn_lint(templates[stack]) == []


def test_account_baseline_encrypts_the_glue_catalog_and_clusters_get_its_key(
    templates: dict[str, dict[str, Any]],
) -> None:
    baseline = templates["emr-dev-account-baseline"]
    (settings,) = _resources(baseline, "AWS::Glue::DataCatalogEncryptionSettings")
    encryption = settings["Properties"]["DataCatalogEncryptionSettings"]
    assert encryption["EncryptionAtRest"]["CatalogEncryptionMode"] == "SSE-KMS"
    assert encryption["ConnectionPasswordEncryption"]["ReturnConnectionPasswordEncrypted"] is True
    key_id = encryption["EncryptionAtRest"]["SseAwsKmsKeyId"]["Fn::GetAtt"][0]
    assert baseline["Resources"][key_id]["DeletionPolicy"] == "Retain"
    glue_policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in _resources(templates["emr-dev-analytics"], "AWS::IAM::ManagedPolicy")
        if "Glue Data Catalog" in p["Properties"]["Description"]
    ]
    (statements,) = glue_policies
    key_statement = next(s for s in statements if s.get("Sid") == "UseCatalogKey")
    assert key_statement["Resource"]["Fn::GetStackOutput"]["StackName"] == "emr-dev-account-baseline"


def test_account_baseline_stack_is_off_by_default() -> None:
    from emr_constructs.spec import load_config

    assert load_config(DEFAULT_CONFIG).account_baseline.enabled is False
