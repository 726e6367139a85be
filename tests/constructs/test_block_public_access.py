"""EmrBlockPublicAccess from plain Python: the defaults put EMR's own configuration, ports and ranges are taken as
ints and tuples, a log group may be brought, the three nag packs pass, invalid settings fail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template
from pydantic import ValidationError

from emr_constructs.baseline import EmrBlockPublicAccess
from tests.nag import Finding, nag_app, synth_findings

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
PHYSICAL_ID = {"id": "emr-block-public-access-111111111111-eu-west-1"}
EMR_DEFAULT = {
    "BlockPublicSecurityGroupRules": True,
    "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
}


@dataclass(frozen=True)
class Built:
    construct: EmrBlockPublicAccess
    template: Template
    findings: list[Finding]


@pytest.fixture(scope="module")
def built() -> Built:
    """The construct with its defaults, alone in a stack of a plain ``cdk.App()`` with the nag packs."""
    app = nag_app()
    stack = cdk.Stack(app, "Baseline", env=ENV)
    construct = EmrBlockPublicAccess(stack, "BlockPublicAccess")
    findings = synth_findings(app)
    template = Template.from_json(json.loads((Path(app.outdir) / stack.template_file).read_text()))
    return Built(construct, template, findings)


def _call(template: Template, event: str) -> dict[str, Any]:
    (resource,) = template.find_resources("Custom::AWS").values()
    call: dict[str, Any] = json.loads(resource["Properties"][event])
    return call


@pytest.mark.parametrize("event", ["Create", "Update", "Delete"])
def test_defaults_put_emrs_own_configuration(built: Built, event: str) -> None:
    assert _call(built.template, event) == {
        "service": "EMR",
        "action": "putBlockPublicAccessConfiguration",
        "parameters": {"BlockPublicAccessConfiguration": EMR_DEFAULT},
        "physicalResourceId": PHYSICAL_ID,
    }
    assert built.construct.configuration == EMR_DEFAULT


def test_defaults_log_to_a_new_encrypted_log_group_kept_a_year(built: Built) -> None:
    built.template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"RetentionInDays": 365, "KmsKeyId": Match.object_like({"Fn::GetAtt": Match.any_value()})},
    )
    built.template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    built.template.has_resource_properties("Custom::AWS", {"InstallLatestAwsSdk": False, "ServiceTimeout": "300"})
    built.template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Sid": "PutEmrBlockPublicAccess",
                        "Action": "elasticmapreduce:PutBlockPublicAccessConfiguration",
                        "Effect": "Allow",
                        "Resource": "*",
                    }
                ]
            }
        },
    )


def test_provider_function_is_aws_custom_resources_singleton(built: Built) -> None:
    function = built.construct.provider_function
    assert function.node.path == "Baseline/AWS679f53fac002430cb0da5b7982bd2287/Resource"
    assert built.construct.provider_role.node.path == "Baseline/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole"


def test_zero_nag_findings(built: Built) -> None:
    assert [str(f) for f in built.findings] == []


def test_ports_and_ranges_as_plain_values_and_a_log_group_brought() -> None:
    stack = cdk.Stack(cdk.App(), "Baseline", env=ENV)
    group = logs.LogGroup(stack, "Logs")
    construct = EmrBlockPublicAccess(
        stack, "BlockPublicAccess", permitted_public_port_ranges=[22, (8443, 8444)], log_group=group
    )
    template = Template.from_stack(stack)
    assert _call(template, "Create")["parameters"]["BlockPublicAccessConfiguration"] == {
        "BlockPublicSecurityGroupRules": True,
        "PermittedPublicSecurityGroupRuleRanges": [
            {"MinRange": 22, "MaxRange": 22},
            {"MinRange": 8443, "MaxRange": 8444},
        ],
    }
    assert _call(template, "Delete")["parameters"]["BlockPublicAccessConfiguration"] == EMR_DEFAULT
    assert construct.log_key is None and construct.log_group is group
    template.resource_count_is("AWS::KMS::Key", 0)
    template.resource_count_is("AWS::Logs::LogGroup", 1)


def test_blocking_off_puts_no_ranges() -> None:
    stack = cdk.Stack(cdk.App(), "Baseline", env=ENV)
    EmrBlockPublicAccess(stack, "BlockPublicAccess", block_public_security_group_rules=False)
    assert _call(Template.from_stack(stack), "Update")["parameters"] == {
        "BlockPublicAccessConfiguration": {"BlockPublicSecurityGroupRules": False}
    }


def test_fails_on_ranges_with_blocking_off() -> None:
    stack = cdk.Stack(cdk.App(), "Baseline", env=ENV)
    with pytest.raises(ValidationError, match="blocking, which is off"):
        EmrBlockPublicAccess(
            stack, "BlockPublicAccess", block_public_security_group_rules=False, permitted_public_port_ranges=[22]
        )


def test_fails_on_overlapping_ranges() -> None:
    stack = cdk.Stack(cdk.App(), "Baseline", env=ENV)
    with pytest.raises(ValidationError, match="permitted_public_port_ranges"):
        EmrBlockPublicAccess(stack, "BlockPublicAccess", permitted_public_port_ranges=[(8000, 8100), 8080])
