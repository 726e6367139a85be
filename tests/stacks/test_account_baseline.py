"""The opt-in account baseline stack: EMR block public access through one AwsCustomResource."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from emr_constructs.spec.baseline import AccountBaselineSpec, PortRangeSpec
from stacks import project_context
from stacks.account_baseline_stack import AWS_CUSTOM_RESOURCE_PROVIDER_ID, AccountBaselineStack
from tests.nag import Finding, add_nag_packs, nag_app, synth_findings
from tests.stacks.conftest import SynthesisedApp
from tests.templates import cfn_lint

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
PHYSICAL_ID = "emr-block-public-access-111111111111-eu-west-1"
BASELINE = AccountBaselineSpec(
    enabled=True,
    permitted_public_port_ranges=(PortRangeSpec(min=22), PortRangeSpec(min=8443, max=8444)),
)
EMR_DEFAULT = {
    "BlockPublicSecurityGroupRules": True,
    "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22}],
}


@dataclass(frozen=True)
class Built:
    stack: AccountBaselineStack
    template: dict[str, Any]
    findings: list[Finding]


def _build(app: cdk.App, baseline: AccountBaselineSpec) -> Built:
    stack = AccountBaselineStack(app, "emr-test-account-baseline", baseline=baseline, env=ENV)
    findings = synth_findings(app)
    template = json.loads((Path(app.outdir) / stack.template_file).read_text())
    return Built(stack, template, findings)


@pytest.fixture(scope="module")
def built() -> Built:
    """The stack as the CDK CLI synthesises it (cdk.json's feature flags), with the three nag packs."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="baseline-"), context=project_context())
    add_nag_packs(app)
    return _build(app, BASELINE)


def _resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def _call(built: Built, event: str) -> dict[str, Any]:
    (resource,) = _resources(built.template, "Custom::AWS")
    call: dict[str, Any] = json.loads(resource["Properties"][event])
    return call


@pytest.mark.parametrize("event", ["Create", "Update"])
def test_create_and_update_put_the_configured_block_public_access(built: Built, event: str) -> None:
    assert _call(built, event) == {
        "service": "EMR",
        "action": "putBlockPublicAccessConfiguration",
        "parameters": {
            "BlockPublicAccessConfiguration": {
                "BlockPublicSecurityGroupRules": True,
                "PermittedPublicSecurityGroupRuleRanges": [
                    {"MinRange": 22, "MaxRange": 22},
                    {"MinRange": 8443, "MaxRange": 8444},
                ],
            }
        },
        "physicalResourceId": {"id": PHYSICAL_ID},
    }


def test_delete_restores_the_emr_default(built: Built) -> None:
    assert _call(built, "Delete") == {
        "service": "EMR",
        "action": "putBlockPublicAccessConfiguration",
        "parameters": {"BlockPublicAccessConfiguration": EMR_DEFAULT},
        "physicalResourceId": {"id": PHYSICAL_ID},
    }


def test_custom_resource_uses_the_bundled_sdk_and_a_service_timeout(built: Built) -> None:
    (resource,) = _resources(built.template, "Custom::AWS")
    assert resource["Properties"]["InstallLatestAwsSdk"] is False
    assert resource["Properties"]["ServiceTimeout"] == "300"


def test_iam_policy_grants_only_the_put_action(built: Built) -> None:
    (policy,) = _resources(built.template, "AWS::IAM::Policy")
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Sid": "PutEmrBlockPublicAccess",
            "Action": "elasticmapreduce:PutBlockPublicAccessConfiguration",
            "Effect": "Allow",
            "Resource": "*",
        }
    ]
    (role,) = _resources(built.template, "AWS::IAM::Role")
    assert role["Properties"]["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
            ]
        }
    ]
    assert "Policies" not in role["Properties"]


def test_function_logs_to_an_encrypted_log_group_with_retention(built: Built) -> None:
    (function,) = _resources(built.template, "AWS::Lambda::Function")
    (log_group,) = _resources(built.template, "AWS::Logs::LogGroup")
    (key,) = _resources(built.template, "AWS::KMS::Key")
    log_group_id = next(k for k, v in built.template["Resources"].items() if v is log_group)
    key_id = next(k for k, v in built.template["Resources"].items() if v is key)
    assert function["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}
    assert log_group["Properties"] == {"KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]}, "RetentionInDays": 365}
    assert key["Properties"]["EnableKeyRotation"] is True


def test_provider_function_is_the_singleton_at_stack_level(built: Built) -> None:
    assert built.stack.provider_function.node.path == (
        f"emr-test-account-baseline/{AWS_CUSTOM_RESOURCE_PROVIDER_ID}/Resource"
    )


def test_zero_nag_findings(built: Built) -> None:
    assert [str(f) for f in built.findings] == []


def test_zero_nag_findings_without_feature_flags() -> None:
    assert [str(f) for f in _build(nag_app(), BASELINE).findings] == []


def test_cfn_lint_is_clean(built: Built) -> None:
    assert cfn_lint(built.template) == []


def test_blocking_off_puts_no_ranges() -> None:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="baseline-off-"), context=project_context())
    baseline = AccountBaselineSpec(enabled=True, block_public_security_group_rules=False)
    stack = AccountBaselineStack(app, "emr-test-account-baseline", baseline=baseline, env=ENV)
    (resource,) = _resources(app.synth().get_stack_by_name(stack.stack_name).template, "Custom::AWS")
    for event in ("Create", "Update"):
        assert json.loads(resource["Properties"][event])["parameters"] == {
            "BlockPublicAccessConfiguration": {"BlockPublicSecurityGroupRules": False}
        }
    assert json.loads(resource["Properties"]["Delete"])["parameters"] == {"BlockPublicAccessConfiguration": EMR_DEFAULT}


def test_default_spec_is_disabled() -> None:
    assert AccountBaselineSpec().enabled is False


def test_fails_disabled_baseline() -> None:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="baseline-disabled-"))
    with pytest.raises(ValueError, match=r"baseline\.enabled is false .* Fix: set account_baseline\.enabled: true"):
        AccountBaselineStack(app, "emr-test-account-baseline", baseline=AccountBaselineSpec(), env=ENV)


def test_default_app_has_no_account_baseline_stack(dev_app: SynthesisedApp) -> None:
    assert [name for name in dev_app.templates if name.endswith("-account-baseline")] == []
