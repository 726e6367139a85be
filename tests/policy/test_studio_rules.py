"""The EMR Studio rules (EMR-STU1 to EMR-STU3) on raw templates: the compliant template, each way to break a rule,
values the template set cannot resolve (not applicable, never a guessed failure), and both adapters
(``emr-constructs check`` and the ``EmrChecks`` pack) reporting them on the Studio."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_s3 as s3

from emr_constructs.policy.engine import check_templates
from emr_constructs.policy.nag_pack import EmrChecks
from emr_constructs.policy.rules import BY_ID, JUDGED_RULES
from emr_constructs.policy.studio_rules import STUDIO_RULES
from tests.nag import emr_checks_violations
from tests.policy.fixtures import check_command_text, rule_outcomes, template_set

Body = dict[str, Any]
STU = [rule.id for rule in STUDIO_RULES]
KEY_ARN = {"Fn::GetAtt": ["Key", "Arn"]}
ENGINE = {"Fn::GetAtt": ["EngineGroup", "GroupId"]}
WORKSPACE = {"Fn::GetAtt": ["WorkspaceGroup", "GroupId"]}
WORLD = {"IpProtocol": "tcp", "FromPort": 18888, "ToPort": 18888, "CidrIp": "0.0.0.0/0"}
_TEMPLATE: Body = {
    "Parameters": {"Elsewhere": {"Type": "String"}},
    "Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Statement": []}}},
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}}
                    ]
                }
            },
        },
        "EngineGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {"GroupDescription": "engine", "VpcId": "vpc-0123456789abcdef0"},
        },
        "WorkspaceGroup": {
            "Type": "AWS::EC2::SecurityGroup",
            "Properties": {
                "GroupDescription": "workspaces",
                "VpcId": "vpc-0123456789abcdef0",
                "SecurityGroupEgress": [
                    {"IpProtocol": "tcp", "FromPort": 18888, "ToPort": 18888, "DestinationSecurityGroupId": ENGINE},
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
                ],
            },
        },
        "EngineFromWorkspaces": {
            "Type": "AWS::EC2::SecurityGroupIngress",
            "Properties": {
                "GroupId": ENGINE,
                "IpProtocol": "tcp",
                "FromPort": 18888,
                "ToPort": 18888,
                "SourceSecurityGroupId": WORKSPACE,
            },
        },
        "Studio": {
            "Type": "AWS::EMR::Studio",
            "Properties": {
                "Name": "notebooks",
                "AuthMode": "IAM",
                "DefaultS3Location": {"Fn::Join": ["", ["s3://", {"Ref": "Bucket"}, "/workspaces/"]]},
                "EncryptionKeyArn": KEY_ARN,
                "EngineSecurityGroupId": ENGINE,
                "WorkspaceSecurityGroupId": WORKSPACE,
                "ServiceRole": "arn:aws:iam::111111111111:role/studio-service",
                "SubnetIds": ["subnet-0a", "subnet-0b"],
                "VpcId": "vpc-0123456789abcdef0",
            },
        },
    },
}
SSO = {
    "AuthMode": "SSO",
    "IdcInstanceArn": "arn:aws:sso:::instance/ssoins-0123456789abcdef",
    "UserRole": "arn:aws:iam::111111111111:role/studio-user",
    "IdcUserAssignment": "REQUIRED",
}


def template() -> Body:
    return copy.deepcopy(_TEMPLATE)


def _outcomes(*bodies: Body) -> dict[str, dict[str, tuple[str, str]]]:
    """Rule id -> logical id -> (status, message)."""
    return rule_outcomes(*bodies, rules=STUDIO_RULES)


def _outcome(rule_id: str, body: Body) -> tuple[str, str]:
    return _outcomes(body)[rule_id]["Studio"]


def _changed(change: Callable[[Body], None]) -> Body:
    body = template()
    change(body)
    return body


def _studio(body: Body) -> dict[str, Any]:
    properties: dict[str, Any] = body["Resources"]["Studio"]["Properties"]
    return properties


def _properties(body: Body, logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = body["Resources"][logical_id]["Properties"]
    return properties


def _sse(body: Body) -> dict[str, Any]:
    default: dict[str, Any] = _properties(body, "Bucket")["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ]
    return default


def _ingress(body: Body, logical_id: str, group: Any, **rule: Any) -> None:
    body["Resources"][logical_id] = {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": group, **rule}}


# -- the compliant template and the rules' registration ------------------------------------------------------------


def test_the_compliant_template_passes_every_studio_rule() -> None:
    assert _outcomes(template()) == {rule_id: {"Studio": ("COMPLIANT", "")} for rule_id in STU}


def test_the_rules_are_registered_with_their_levels() -> None:
    assert {rule.id: rule.level for rule in STUDIO_RULES} == {
        "EMR-STU1": "error",
        "EMR-STU2": "error",
        "EMR-STU3": "error",
    }
    for rule in STUDIO_RULES:
        assert BY_ID[rule.id] is rule and rule in JUDGED_RULES and rule.title and rule.explanation and rule.fix
        assert "emr-studio-" in rule.explanation  # its documented source


def test_a_template_without_a_studio_is_not_judged() -> None:
    body = _changed(lambda b: b["Resources"].pop("Studio"))
    assert _outcomes(body) == {rule_id: {} for rule_id in STU}


# -- EMR-STU1: Workspace storage under a customer managed key ------------------------------------------------------


def test_fails_without_an_encryption_key() -> None:
    body = _changed(lambda b: _studio(b).pop("EncryptionKeyArn"))
    status, message = _outcome("EMR-STU1", body)
    assert status == "NON_COMPLIANT" and message.startswith("EncryptionKeyArn is not set")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ({"Ref": "Key"}, "EncryptionKeyArn is the Ref of Key (AWS::KMS::Key), not a KMS key's ARN"),
        ("arn:aws:kms:eu-west-1:111111111111:alias/notebooks", "is not a KMS key ARN"),
    ],
)
def test_fails_on_something_other_than_a_key_arn(key: Any, expected: str) -> None:
    status, message = _outcome("EMR-STU1", _changed(lambda b: _studio(b).update(EncryptionKeyArn=key)))
    assert status == "NON_COMPLIANT" and expected in message


def test_a_key_arn_outside_the_template_passes() -> None:
    key = "arn:aws:kms:eu-west-1:111111111111:key/0a1b"
    assert _outcome("EMR-STU1", _changed(lambda b: _studio(b).update(EncryptionKeyArn=key))) == ("COMPLIANT", "")


def test_a_key_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _studio(b).update(EncryptionKeyArn={"Ref": "Elsewhere"}))
    assert _outcome("EMR-STU1", body) == ("NOT_APPLICABLE", "EncryptionKeyArn is not resolvable")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda b: _properties(b, "Bucket").pop("BucketEncryption"), "Workspace bucket Bucket has no BucketEncryption"),
        (lambda b: _sse(b).update(SSEAlgorithm="AES256"), "Workspace bucket Bucket encrypts with AES256"),
        (lambda b: _sse(b).pop("KMSMasterKeyID"), "without a KMSMasterKeyID"),
        (lambda b: _sse(b).update(KMSMasterKeyID="alias/aws/s3"), "'alias/aws/s3' is an AWS managed key"),
        (
            lambda b: _sse(b).update(KMSMasterKeyID={"Ref": "EngineGroup"}),
            "names EngineGroup (AWS::EC2::SecurityGroup)",
        ),
    ],
    ids=["no encryption", "SSE-S3", "no key", "aws/s3", "not a key"],
)
def test_fails_on_a_workspace_bucket_without_a_customer_managed_key(
    change: Callable[[Body], None], expected: str
) -> None:
    status, message = _outcome("EMR-STU1", _changed(change))
    assert status == "NON_COMPLIANT" and expected in message


@pytest.mark.parametrize(
    "key", [{"Ref": "Key"}, "arn:aws:kms:eu-west-1:111111111111:key/0a1b", "alias/notebooks"], ids=str
)
def test_a_bucket_key_by_id_arn_or_alias_passes(key: Any) -> None:
    assert _outcome("EMR-STU1", _changed(lambda b: _sse(b).update(KMSMasterKeyID=key))) == ("COMPLIANT", "")


@pytest.mark.parametrize(
    "location",
    [
        {"Fn::Sub": "s3://${Bucket}/workspaces/"},
        {"Fn::Join": ["", ["s3://", {"Ref": "Bucket"}]]},
        "s3://team-notebooks/workspaces/",
        {"Fn::Sub": "s3://team-notebooks"},
    ],
    ids=["Sub", "Join without a prefix", "literal", "literal in a Sub"],
)
def test_fails_on_the_bucket_in_any_form_of_the_location(location: Any) -> None:
    def change(body: Body) -> None:
        _studio(body)["DefaultS3Location"] = location
        _properties(body, "Bucket")["BucketName"] = "team-notebooks"
        _sse(body)["SSEAlgorithm"] = "AES256"

    assert _outcome("EMR-STU1", _changed(change))[0] == "NON_COMPLIANT"


def test_a_bucket_outside_the_templates_is_not_judged() -> None:
    def change(body: Body) -> None:
        _studio(body)["DefaultS3Location"] = "s3://elsewhere/workspaces/"
        _properties(body, "Bucket").pop("BucketEncryption")

    assert _outcome("EMR-STU1", _changed(change)) == ("COMPLIANT", "")


def test_a_location_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _studio(b).update(DefaultS3Location={"Ref": "Elsewhere"}))
    assert _outcome("EMR-STU1", body) == ("NOT_APPLICABLE", "the bucket of DefaultS3Location is not resolvable")
    body = _changed(lambda b: _sse(b).update(SSEAlgorithm={"Ref": "Elsewhere"}))
    assert _outcome("EMR-STU1", body) == ("NOT_APPLICABLE", "Workspace bucket Bucket's SSEAlgorithm is not resolvable")


def test_the_bucket_and_key_of_another_stack_are_followed() -> None:
    """As the default app does: the Studio's stack reads the stateful stack's bucket and key (weak references)."""
    stateful: Body = {
        "Resources": {"Key": _TEMPLATE["Resources"]["Key"], "Bucket": copy.deepcopy(_TEMPLATE["Resources"]["Bucket"])},
        "Outputs": {"KeyArn": {"Value": KEY_ARN}, "BucketName": {"Value": {"Ref": "Bucket"}}},
    }

    def output(name: str) -> Body:
        return {"Fn::GetStackOutput": {"StackName": "t1", "Region": "eu-west-1", "OutputName": name}}

    def change(body: Body) -> None:
        del body["Resources"]["Key"], body["Resources"]["Bucket"]
        _studio(body)["EncryptionKeyArn"] = output("KeyArn")
        _studio(body)["DefaultS3Location"] = {"Fn::Join": ["", ["s3://", output("BucketName"), "/workspaces/"]]}

    studio = _changed(change)
    assert _outcomes(studio, stateful)["EMR-STU1"]["Studio"] == ("COMPLIANT", "")
    _sse(stateful)["SSEAlgorithm"] = "AES256"
    status, message = _outcomes(studio, stateful)["EMR-STU1"]["Studio"]
    assert status == "NON_COMPLIANT" and "Workspace bucket Bucket encrypts with AES256" in message


# -- EMR-STU2: security groups closed to the internet --------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda b: _properties(b, "EngineGroup").update(SecurityGroupIngress=[WORLD]),
        lambda b: _ingress(b, "Open", ENGINE, IpProtocol="tcp", FromPort=18000, ToPort=19000, CidrIpv6="::/0"),
        lambda b: _ingress(b, "Open", {"Ref": "EngineGroup"}, IpProtocol="-1", CidrIp="0.0.0.0/0"),
        lambda b: _ingress(b, "Open", ENGINE, IpProtocol="6", FromPort="0", ToPort="65535", CidrIp="0.0.0.0/0"),
    ],
    ids=["inline", "IPv6 range", "every protocol", "protocol number"],
)
def test_fails_on_the_engine_port_open_to_the_internet(change: Callable[[Body], None]) -> None:
    status, message = _outcome("EMR-STU2", _changed(change))
    assert status == "NON_COMPLIANT"
    assert message.startswith("the engine security group EngineGroup admits 0.0.0.0/0 or ::/0 on port 18888 (")


@pytest.mark.parametrize(
    "rule",
    [
        {**WORLD, "FromPort": 443, "ToPort": 443},
        {**WORLD, "IpProtocol": "udp"},
        {**WORLD, "CidrIp": "10.0.0.0/8"},
    ],
    ids=["another port", "udp", "a private range"],
)
def test_other_engine_rules_pass(rule: Body) -> None:
    body = _changed(lambda b: _properties(b, "EngineGroup").update(SecurityGroupIngress=[rule]))
    assert _outcome("EMR-STU2", body) == ("COMPLIANT", "")


@pytest.mark.parametrize(
    "change",
    [
        lambda b: _ingress(b, "Ssh", WORKSPACE, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="10.0.0.0/16"),
        lambda b: _properties(b, "WorkspaceGroup").update(
            SecurityGroupIngress=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "SourceSecurityGroupId": ENGINE}
            ]
        ),
        lambda b: _studio(b).update(WorkspaceSecurityGroupId=ENGINE),
    ],
    ids=["ingress resource", "inline", "the engine group"],
)
def test_fails_on_any_inbound_rule_of_the_workspace_group(change: Callable[[Body], None]) -> None:
    status, message = _outcome("EMR-STU2", _changed(change))
    assert status == "NON_COMPLIANT" and " admits inbound traffic (" in message


def test_fails_on_a_workspace_group_open_to_the_internet() -> None:
    body = _changed(lambda b: _properties(b, "WorkspaceGroup").update(SecurityGroupIngress=[WORLD]))
    assert _outcome("EMR-STU2", body) == (
        "NON_COMPLIANT",
        "the Workspace security group WorkspaceGroup admits inbound traffic (inline rule 1)",
    )


def test_fails_through_an_ingress_in_another_template() -> None:
    studio = template()
    studio["Outputs"] = {"Engine": {"Value": ENGINE, "Export": {"Name": "studio-engine"}}}
    other: Body = {"Resources": {}}
    _ingress(other, "Open", {"Fn::ImportValue": "studio-engine"}, **{**WORLD, "FromPort": 0, "ToPort": 65535})
    assert _outcomes(studio, other)["EMR-STU2"]["Studio"] == (
        "NON_COMPLIANT",
        "the engine security group EngineGroup admits 0.0.0.0/0 or ::/0 on port 18888 (ingress Open)",
    )


def test_groups_outside_the_templates_are_judged_by_their_ingress_resources() -> None:
    def change(body: Body) -> None:
        _studio(body)["EngineSecurityGroupId"] = "sg-0engine"
        _studio(body)["WorkspaceSecurityGroupId"] = "sg-0workspace"

    assert _outcome("EMR-STU2", _changed(change)) == (
        "NOT_APPLICABLE",
        "the engine security group sg-0engine is not in the templates, so its own rules are not read; "
        "the Workspace security group sg-0workspace is not in the templates, so its own rules are not read",
    )
    body = _changed(change)
    _ingress(body, "Open", "sg-0engine", **WORLD)
    status, message = _outcome("EMR-STU2", body)
    assert status == "NON_COMPLIANT" and message.startswith("the engine security group sg-0engine admits 0.0.0.0/0")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda b: _studio(b).update(EngineSecurityGroupId={"Ref": "Elsewhere"}),
            "EngineSecurityGroupId is not resolvable to a security group",
        ),
        (
            lambda b: _properties(b, "EngineGroup").update(
                SecurityGroupIngress=[{**WORLD, "CidrIp": {"Ref": "Elsewhere"}}]
            ),
            "whether inline rule 1 of the engine security group EngineGroup opens 18888 is not resolvable",
        ),
        (
            lambda b: _properties(b, "WorkspaceGroup").update(SecurityGroupIngress={"Fn::If": ["Open", [WORLD], []]}),
            "whether SecurityGroupIngress of the Workspace security group WorkspaceGroup opens 18888 is not resolvable",
        ),
    ],
    ids=["a group from a parameter", "a CIDR from a parameter", "a conditional rule list"],
)
def test_unresolvable_groups_and_rules_are_not_applicable(change: Callable[[Body], None], expected: str) -> None:
    assert _outcome("EMR-STU2", _changed(change)) == ("NOT_APPLICABLE", expected)


# -- EMR-STU3: authentication explicit and coherent ----------------------------------------------------------------


def test_sso_with_its_instance_and_user_role_passes() -> None:
    assert _outcome("EMR-STU3", _changed(lambda b: _studio(b).update(SSO))) == ("COMPLIANT", "")


def test_iam_with_trusted_identity_propagation_off_passes() -> None:
    body = _changed(lambda b: _studio(b).update(TrustedIdentityPropagationEnabled="false"))
    assert _outcome("EMR-STU3", body) == ("COMPLIANT", "")


def test_fails_without_an_auth_mode() -> None:
    assert _outcome("EMR-STU3", _changed(lambda b: _studio(b).pop("AuthMode"))) == (
        "NON_COMPLIANT",
        "AuthMode is not set",
    )


def test_fails_on_an_unknown_auth_mode() -> None:
    assert _outcome("EMR-STU3", _changed(lambda b: _studio(b).update(AuthMode="iam"))) == (
        "NON_COMPLIANT",
        "AuthMode 'iam' is neither IAM nor SSO",
    )


@pytest.mark.parametrize(
    ("removed", "expected"),
    [
        (["IdcInstanceArn"], "AuthMode is SSO without IdcInstanceArn"),
        (["UserRole"], "AuthMode is SSO without UserRole"),
        (["IdcInstanceArn", "UserRole"], "AuthMode is SSO without IdcInstanceArn or UserRole"),
    ],
)
def test_fails_on_sso_without_its_instance_or_user_role(removed: list[str], expected: str) -> None:
    def change(body: Body) -> None:
        _studio(body).update(SSO)
        for field in removed:
            del _studio(body)[field]

    assert _outcome("EMR-STU3", _changed(change)) == ("NON_COMPLIANT", expected)


@pytest.mark.parametrize(
    "extra",
    [
        {"UserRole": "arn:aws:iam::111111111111:role/studio-user"},
        {"IdcInstanceArn": SSO["IdcInstanceArn"]},
        {"IdcUserAssignment": "OPTIONAL"},
        {"TrustedIdentityPropagationEnabled": True},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_fails_on_iam_with_identity_center_properties(extra: Body) -> None:
    assert _outcome("EMR-STU3", _changed(lambda b: _studio(b).update(extra))) == (
        "NON_COMPLIANT",
        f"AuthMode is IAM with {next(iter(extra))}, which only IAM Identity Center (SSO) mode takes",
    )


def test_an_auth_mode_from_a_parameter_is_not_applicable() -> None:
    body = _changed(lambda b: _studio(b).update(AuthMode={"Ref": "Elsewhere"}))
    assert _outcome("EMR-STU3", body) == ("NOT_APPLICABLE", "AuthMode is not resolvable")
    body = _changed(lambda b: _studio(b).update(TrustedIdentityPropagationEnabled={"Ref": "Elsewhere"}))
    assert _outcome("EMR-STU3", body) == ("NOT_APPLICABLE", "TrustedIdentityPropagationEnabled is not resolvable")


# -- both adapters -------------------------------------------------------------------------------------------------


def _insecure() -> Body:
    body = template()
    del _studio(body)["EncryptionKeyArn"]
    _properties(body, "EngineGroup")["SecurityGroupIngress"] = [WORLD]
    _studio(body)["UserRole"] = "arn:aws:iam::111111111111:role/studio-user"
    return body


INSECURE = [("EMR-STU1", "Studio", "error"), ("EMR-STU2", "Studio", "error"), ("EMR-STU3", "Studio", "error")]


def test_check_templates_reports_each_finding_on_the_studio() -> None:
    assert check_templates(template_set(template())) == []
    found = sorted((f.rule.id, f.logical_id, f.level) for f in check_templates(template_set(_insecure())))
    assert found == INSECURE


def test_a_waiver_with_a_reason_waives_a_studio_rule() -> None:
    body = _insecure()
    body["Resources"]["Studio"]["Metadata"] = {
        "cdk_nag": {"rules_to_suppress": [{"id": "EmrChecks-EMR-STU3", "reason": "role kept for the SSO migration"}]}
    }
    waived = [(f.rule.id, f.waived_reason) for f in check_templates(template_set(body)) if f.waived_reason]
    assert waived == [("EMR-STU3", "role kept for the SSO migration")]


def test_the_check_command_reports_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = check_command_text(capsys, tmp_path, template(), _insecure(), INSECURE)
    assert "ERROR   EmrChecks-EMR-STU2" in out and "insecure:Studio" in out
    assert "Fix: Set EncryptionKeyArn" in out


# -- EmrChecks on a CDK app of raw L1s -----------------------------------------------------------------------------


def _cdk_app(*, secure: bool) -> cdk.App:
    """A team's app with a raw ``CfnStudio``, its bucket and security groups (no construct of this library)."""
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="emr-checks-stu-"))
    stack = cdk.Stack(app, "Team")
    key = cdk.CfnResource(stack, "Key", type="AWS::KMS::Key", properties={"KeyPolicy": {"Statement": []}})
    key_arn = key.get_att("Arn").to_string()
    by_default = s3.CfnBucket.ServerSideEncryptionByDefaultProperty(
        sse_algorithm="aws:kms" if secure else "AES256", kms_master_key_id=key_arn if secure else None
    )
    bucket = s3.CfnBucket(
        stack,
        "Bucket",
        bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(
            server_side_encryption_configuration=[
                s3.CfnBucket.ServerSideEncryptionRuleProperty(server_side_encryption_by_default=by_default)
            ]
        ),
    )
    engine = ec2.CfnSecurityGroup(stack, "EngineGroup", group_description="engine", vpc_id="vpc-0123456789abcdef0")
    workspace = ec2.CfnSecurityGroup(
        stack, "WorkspaceGroup", group_description="workspaces", vpc_id="vpc-0123456789abcdef0"
    )
    ec2.CfnSecurityGroupIngress(
        stack,
        "EngineFromWorkspaces",
        group_id=engine.attr_group_id,
        ip_protocol="tcp",
        from_port=18888,
        to_port=18888,
        source_security_group_id=workspace.attr_group_id if secure else None,
        cidr_ip=None if secure else "0.0.0.0/0",
    )
    emr.CfnStudio(
        stack,
        "Studio",
        name="notebooks",
        auth_mode="IAM",
        default_s3_location=f"s3://{bucket.ref}/workspaces/",
        encryption_key_arn=key_arn,
        engine_security_group_id=engine.attr_group_id,
        workspace_security_group_id=workspace.attr_group_id,
        service_role="arn:aws:iam::111111111111:role/studio-service",
        user_role=None if secure else "arn:aws:iam::111111111111:role/studio-user",
        subnet_ids=["subnet-0a"],
        vpc_id="vpc-0123456789abcdef0",
    )
    cdk.Validations.of(app).add_plugins(EmrChecks(app))
    return app


def test_emr_checks_reports_them_on_the_studio() -> None:
    assert emr_checks_violations(_cdk_app(secure=False)) == [
        ("EmrChecks-EMR-STU1", "Team/Studio"),
        ("EmrChecks-EMR-STU2", "Team/Studio"),
        ("EmrChecks-EMR-STU3", "Team/Studio"),
    ]


def test_emr_checks_passes_a_compliant_studio() -> None:
    assert emr_checks_violations(_cdk_app(secure=True)) == []
