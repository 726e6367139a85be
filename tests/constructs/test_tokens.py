"""Values taken from parameters in code: unresolved CDK tokens pass the spec's format checks (as aws-cdk's own
validators let them through) and reach the template as references; a config file stays strict."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_ssm as ssm

from emr_constructs import ClusterSpec, ConfigError, EmrCluster, load_config
from emr_constructs.spec.tokens import is_unresolved_token
from tests.constructs.test_cluster import ENV, FLEETS, _vpc, acknowledge_imported_subnets
from tests.spec.test_load_config import _APP, _write

AMI_PARAMETER = "/emr/golden-ami"
WAIVER = {"reason": "token tests run clusters without a KDC in the way"}


def _payload(ami: str, key_arn: str, role_arn: str) -> dict[str, Any]:
    payload = copy.deepcopy(FLEETS)
    for fleet in payload["instance_fleets"].values():  # one architecture (Graviton), so one AMI boots them all
        fleet["instance_types"] = [t for t in fleet["instance_types"] if re.match(r"^[a-z]+\d+g", t["instance_type"])]
    payload["custom_ami_id"] = ami
    payload["security"] = {
        "kerberos_waiver": WAIVER,
        "s3_encryption": {"mode": "SSE-KMS", "kms_key_arn": key_arn},
        "emrfs_role_mappings": [
            {"role_arn": role_arn, "identifier_type": "Prefix", "identifiers": ["s3://data-bucket/raw/"]}
        ],
    }
    return payload


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = cdk.App()
    stack = cdk.Stack(app, "Tokens", env=ENV)
    ami = ssm.StringParameter.value_for_string_parameter(stack, AMI_PARAMETER)
    key_arn = cdk.CfnParameter(stack, "DataKeyArn").value_as_string
    role_arn = cdk.CfnParameter(stack, "MappedRoleArn").value_as_string
    spec = ClusterSpec.model_validate(_payload(ami, key_arn, role_arn))
    EmrCluster(stack, "Cluster", spec=spec, vpc=_vpc(stack))
    acknowledge_imported_subnets(stack)
    template = app.synth().get_stack_by_name("Tokens").template
    return {"spec": spec, "template": template, "ami": ami}


def _only(template: dict[str, Any], kind: str) -> dict[str, Any]:
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == kind]
    properties: dict[str, Any] = resource["Properties"]
    return properties


def test_a_token_passes_the_spec_unchanged(built: dict[str, Any]) -> None:
    assert built["spec"].custom_ami_id == built["ami"]
    assert is_unresolved_token(built["spec"].custom_ami_id)


def test_the_ami_comes_from_the_ssm_parameter(built: dict[str, Any]) -> None:
    ami = _only(built["template"], "AWS::EMR::Cluster")["CustomAmiId"]
    (parameter,) = [k for k, p in built["template"]["Parameters"].items() if p.get("Default") == AMI_PARAMETER]
    assert ami == {"Ref": parameter}
    assert built["template"]["Parameters"][parameter]["Type"] == "AWS::SSM::Parameter::Value<String>"


def test_the_key_arn_parameter_reaches_the_security_configuration(built: dict[str, Any]) -> None:
    configuration = _only(built["template"], "AWS::EMR::SecurityConfiguration")["SecurityConfiguration"]
    assert {"Ref": "DataKeyArn"} in _values(configuration)
    # The nodes may use that key: a key grant names the parameter.
    policies = [r for r in built["template"]["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    assert any({"Ref": "DataKeyArn"} in _values(p) for p in policies)


def test_the_mapped_role_parameter_is_assumable_by_the_nodes(built: dict[str, Any]) -> None:
    policies = [r for r in built["template"]["Resources"].values() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    assert any({"Ref": "MappedRoleArn"} in _values(p) for p in policies)


def _values(value: Any) -> list[Any]:
    """Every nested value (dicts and lists, recursively), to find a reference wherever it was rendered."""
    found = [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for child in children:
        found.extend(_values(child))
    return found


def test_fails_a_wrong_literal_in_code() -> None:
    with pytest.raises(ValueError, match="custom_ami_id"):
        ClusterSpec.model_validate(_payload("ami-nothex", "arn:aws:kms:eu-west-1:111111111111:key/k", _role()))


def _role() -> str:
    return "arn:aws:iam::111111111111:role/mapped"


def test_fails_token_text_in_a_config_file(tmp_path: Path) -> None:
    """A file cannot hold a token: ``${Token[...]}`` written into YAML is checked like any other text."""
    app = copy.deepcopy(_APP)
    app["clusters"][0]["custom_ami_id"] = "${Token[TOKEN.123]}"
    path = _write(tmp_path, yaml.safe_dump(app, sort_keys=False))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "clusters[0].custom_ami_id" in str(error.value) and "${Token[TOKEN.123]}" in str(error.value)


def test_plain_text_is_not_a_token() -> None:
    assert not is_unresolved_token("ami-0123456789abcdef0")
    assert not is_unresolved_token(None)
