"""EmrRoles: trust policies, managed and inline policies, instance profile, names, boundaries, nag."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint
from constructs import Construct, IConstruct

from emr_constructs.iam import EmrRoles
from emr_constructs.logging import EmrLogBucket
from tests.nag import Finding, nag_app, synth_findings

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
EMR_SOURCE_ARN = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":elasticmapreduce:eu-west-1:111111111111:*"]]}
PREFIX = "analytics-prod"


def _wire(
    app: cdk.App, logs_stack: str, roles_stack: str | None = None, **kwargs: Any
) -> tuple[EmrLogBucket, EmrRoles]:
    """EmrLogBucket and EmrRoles wired together; in two stacks when ``roles_stack`` is given."""
    logs_scope = cdk.Stack(app, logs_stack, env=ENV)
    roles_scope = cdk.Stack(app, roles_stack, env=ENV) if roles_stack else logs_scope
    logs = EmrLogBucket(logs_scope, "Logs")
    roles = EmrRoles(roles_scope, "Roles", log_bucket=logs.bucket, log_key=logs.encryption_key, **kwargs)
    return logs, roles


def _full_options(scope: Construct) -> dict[str, Any]:
    return {
        "role_name_prefix": PREFIX,
        "permissions_boundary": iam.ManagedPolicy.from_managed_policy_name(scope, "Boundary", "emr-boundary"),
        "create_auto_scaling_role": True,
        "log_prefix": "clusters/analytics",
    }


class Built:
    """Every stack of this module, synthesised once."""

    def __init__(self) -> None:
        app = cdk.App()
        self.logs, self.roles = _wire(app, "Wired")

        full_stack = cdk.Stack(app, "Full", env=ENV)
        self.full_logs = EmrLogBucket(full_stack, "Logs")
        self.full = EmrRoles(
            full_stack,
            "Roles",
            log_bucket=self.full_logs.bucket,
            **_full_options(full_stack),  # log_key left out: taken from the bucket
        )
        self.data_bucket = s3.Bucket.from_bucket_name(full_stack, "Data", "analytics-data")
        self.data_bucket.grant_read(self.full)  # EmrRoles is IGrantable
        self.data_key = kms.Key.from_key_arn(
            full_stack,
            "DataKey",
            "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555",
        )
        self.full.grant_kms(self.data_key)

        self.cross_logs, self.cross_roles = _wire(app, "CrossLogs", "CrossRoles")
        self.bare = EmrRoles(cdk.Stack(app, "Bare", env=ENV), "Roles")

        assembly = app.synth()
        self.templates = {
            name: Template.from_json(assembly.get_stack_by_name(name).template)
            for name in ("Wired", "Full", "CrossLogs", "CrossRoles", "Bare")
        }


@pytest.fixture(scope="module")
def built() -> Built:
    return Built()


@pytest.fixture(scope="module")
def wired(built: Built) -> Template:
    return built.templates["Wired"]


@pytest.fixture(scope="module")
def full(built: Built) -> Template:
    return built.templates["Full"]


@pytest.fixture(scope="module")
def nag_findings() -> list[Finding]:
    app = nag_app()
    _wire(app, "Wired")
    full_stack = cdk.Stack(app, "Full", env=ENV)
    logs = EmrLogBucket(full_stack, "Logs")
    EmrRoles(full_stack, "Roles", log_bucket=logs.bucket, log_key=logs.encryption_key, **_full_options(full_stack))
    _wire(app, "CrossLogs", "CrossRoles")
    return synth_findings(app)


def _id(construct: IConstruct) -> str:
    """Logical id of an L1, or of an L2's main resource."""
    child = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
    assert isinstance(child, cdk.CfnElement)
    return str(cdk.Stack.of(child).resolve(child.logical_id))


def _statements(template: Template, policy_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = template.to_json()["Resources"][policy_id]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    return statements


def _instance_policy_id(roles: EmrRoles) -> str:
    return _id(roles.instance_role.node.find_child("DefaultPolicy"))


# --- nag -----------------------------------------------------------------------------------------


def test_nag_packs_report_nothing(nag_findings: list[Finding]) -> None:
    assert [str(f) for f in nag_findings] == []


def test_acknowledgments_sit_on_resources_never_on_stacks_or_the_construct() -> None:
    app = cdk.App()
    _, roles = _wire(app, "Acks", create_auto_scaling_role=True)
    app.synth()  # acknowledgments that embed an ARN are recorded during synthesis
    acknowledged: dict[str, list[str]] = {}
    for construct in app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    assert len(reason) > 40, rule
                    acknowledged.setdefault(construct.node.path, []).append(rule)
    assert set(acknowledged) == {
        "Acks/Logs/Bucket/Resource",
        "Acks/Logs/AccessLogs/Resource",
        "Acks/Roles/ServiceRole/Resource",
        "Acks/Roles/AutoScalingRole/Resource",
        "Acks/Roles/InstanceRole/DefaultPolicy/Resource",
    }
    assert sorted(acknowledged["Acks/Roles/InstanceRole/DefaultPolicy/Resource"]) == sorted(
        [
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions::AwsSolutions-IAM5[Resource::<LogsBucket5C52C3D2.Arn>/emr/*]",
            "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "AwsSolutions::AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
            "HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy",
            "NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy",
        ]
    )
    assert roles.auto_scaling_role is not None


# --- service role --------------------------------------------------------------------------------


def test_service_role_trusts_emr_for_this_account_and_region_only(built: Built, wired: Template) -> None:
    role = wired.to_json()["Resources"][_id(built.roles.service_role)]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "elasticmapreduce.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "111111111111"},
                "ArnLike": {"aws:SourceArn": EMR_SOURCE_ARN},
            },
        }
    ]


def test_service_role_carries_the_v2_managed_policy(built: Built, wired: Template) -> None:
    role = wired.to_json()["Resources"][_id(built.roles.service_role)]["Properties"]
    assert role["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":iam::aws:policy/service-role/AmazonEMRServicePolicy_v2",
                ],
            ]
        }
    ]


def test_service_role_passes_exactly_the_instance_role_to_ec2(built: Built, wired: Template) -> None:
    role = wired.to_json()["Resources"][_id(built.roles.service_role)]["Properties"]
    assert role["Policies"] == [
        {
            "PolicyName": "PassClusterRoles",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PassInstanceRoleToEc2",
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": {"Fn::GetAtt": [_id(built.roles.instance_role), "Arn"]},
                        "Condition": {"StringLike": {"iam:PassedToService": "ec2.amazonaws.com*"}},
                    }
                ],
            },
        }
    ]


def test_service_role_passes_the_auto_scaling_role_to_application_auto_scaling(built: Built, full: Template) -> None:
    assert built.full.auto_scaling_role is not None
    role = full.to_json()["Resources"][_id(built.full.service_role)]["Properties"]
    statements = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[1] == {
        "Sid": "PassAutoScalingRoleToApplicationAutoScaling",
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": {"Fn::GetAtt": [_id(built.full.auto_scaling_role), "Arn"]},
        "Condition": {"StringLike": {"iam:PassedToService": "application-autoscaling.amazonaws.com*"}},
    }
    assert statements[0]["Resource"] == {"Fn::GetAtt": [_id(built.full.instance_role), "Arn"]}


# --- instance role and profile -------------------------------------------------------------------


def test_instance_role_trusts_ec2(built: Built, wired: Template) -> None:
    role = wired.to_json()["Resources"][_id(built.roles.instance_role)]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}
    ]
    assert "ManagedPolicyArns" not in role
    assert "Policies" not in role


def test_instance_role_writes_and_reads_logs_under_the_prefix_only(built: Built, wired: Template) -> None:
    bucket = _id(built.logs.bucket)
    statements = _statements(wired, _instance_policy_id(built.roles))
    assert {
        "Action": ["s3:PutObject", "s3:GetObject"],
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/emr/*"]]},
    } in statements
    assert {
        "Action": "s3:ListBucket",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [bucket, "Arn"]},
        "Condition": {"StringLike": {"s3:prefix": ["emr", "emr/*"]}},
    } in statements
    s3_actions = {a for s in statements for a in _as_list(s["Action"]) if a.startswith("s3:")}
    assert s3_actions == {"s3:PutObject", "s3:GetObject", "s3:ListBucket"}


def test_instance_role_uses_the_log_key_through_its_own_policy(built: Built, wired: Template) -> None:
    key = _id(built.logs.encryption_key)
    statements = _statements(wired, _instance_policy_id(built.roles))
    assert {
        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [key, "Arn"]},
    } in statements
    key_policy = wired.to_json()["Resources"][key]["Properties"]["KeyPolicy"]["Statement"]
    assert len(key_policy) == 1  # the account-root delegation only: the grant never touched it


def test_instance_role_can_register_with_session_manager(built: Built, wired: Template) -> None:
    statements = _statements(wired, _instance_policy_id(built.roles))
    assert {
        "Sid": "SessionManager",
        "Action": [
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        ],
        "Effect": "Allow",
        "Resource": "*",
    } in statements
    assert all(s["Resource"] != "*" for s in statements if s.get("Sid") != "SessionManager")


def test_instance_profile_has_the_role_and_its_name(built: Built, wired: Template) -> None:
    role = _id(built.roles.instance_role)
    wired.resource_count_is("AWS::IAM::InstanceProfile", 1)
    wired.has_resource_properties(
        "AWS::IAM::InstanceProfile", {"Roles": [{"Ref": role}], "InstanceProfileName": {"Ref": role}}
    )
    assert cdk.Stack.of(built.roles).resolve(built.roles.instance_profile.ref) == {
        "Ref": _id(built.roles.instance_profile)
    }


def test_grant_principal_is_the_instance_role(built: Built, full: Template) -> None:
    assert built.full.grant_principal is built.full.instance_role.grant_principal
    statements = _statements(full, _instance_policy_id(built.full))
    data_arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::analytics-data"]]}
    assert any(data_arn in _as_list(s["Resource"]) and "s3:GetObject*" in s["Action"] for s in statements)
    assert any(
        s["Resource"] == "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555"
        and "kms:Decrypt" in s["Action"]
        for s in statements
    )


def test_log_key_defaults_to_the_bucket_key_and_prefix_is_honoured(built: Built, full: Template) -> None:
    bucket = _id(built.full_logs.bucket)
    key = _id(built.full_logs.encryption_key)
    statements = _statements(full, _instance_policy_id(built.full))
    assert any(s["Resource"] == {"Fn::GetAtt": [key, "Arn"]} for s in statements)
    assert any(
        s["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/clusters/analytics/*"]]}
        for s in statements
    )


def test_without_log_bucket_there_are_no_log_permissions(built: Built) -> None:
    bare = built.templates["Bare"]
    statements = _statements(bare, _instance_policy_id(built.bare))
    assert [s.get("Sid") for s in statements] == ["SessionManager"]
    assert built.bare.auto_scaling_role is None
    bare.resource_count_is("AWS::IAM::Role", 2)
    for role in bare.find_resources("AWS::IAM::Role").values():
        assert "RoleName" not in role["Properties"]
        assert "PermissionsBoundary" not in role["Properties"]


def test_cross_stack_log_bucket_is_referenced_not_modified(built: Built) -> None:
    logs = built.templates["CrossLogs"]
    roles = built.templates["CrossRoles"]
    logs.resource_count_is("AWS::IAM::Role", 0)
    key = _id(built.cross_logs.encryption_key)
    assert len(logs.to_json()["Resources"][key]["Properties"]["KeyPolicy"]["Statement"]) == 1
    statements = _statements(roles, _instance_policy_id(built.cross_roles))
    assert any("Fn::ImportValue" in json.dumps(s["Resource"]) for s in statements if "kms:Decrypt" in s["Action"])


# --- auto-scaling role ---------------------------------------------------------------------------


def test_auto_scaling_role_trusts_both_services_with_confused_deputy_conditions(built: Built, full: Template) -> None:
    assert built.full.auto_scaling_role is not None
    role = full.to_json()["Resources"][_id(built.full.auto_scaling_role)]["Properties"]
    scalable_targets = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":application-autoscaling:eu-west-1:111111111111:scalable-target/*",
            ],
        ]
    }
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "application-autoscaling.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "111111111111"},
                "ArnLike": {"aws:SourceArn": scalable_targets},
            },
        },
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "elasticmapreduce.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "111111111111"},
                "ArnLike": {"aws:SourceArn": EMR_SOURCE_ARN},
            },
        },
    ]
    assert role["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":iam::aws:policy/service-role/AmazonElasticMapReduceforAutoScalingRole",
                ],
            ]
        }
    ]


# --- names and boundaries ------------------------------------------------------------------------


def test_role_names_carry_the_prefix(built: Built, full: Template) -> None:
    names = sorted(r["Properties"]["RoleName"] for r in full.find_resources("AWS::IAM::Role").values())
    assert names == [f"{PREFIX}-EmrAutoScalingRole", f"{PREFIX}-EmrInstanceRole", f"{PREFIX}-EmrServiceRole"]
    # The profile takes its name from the role (a Ref that resolves to "<prefix>-EmrInstanceRole").
    role = {"Ref": _id(built.full.instance_role)}
    full.has_resource_properties("AWS::IAM::InstanceProfile", {"InstanceProfileName": role, "Roles": [role]})


def test_permissions_boundary_on_every_role(full: Template) -> None:
    boundary = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:policy/emr-boundary"]]}
    roles = full.find_resources("AWS::IAM::Role")
    assert len(roles) == 3
    assert all(r["Properties"]["PermissionsBoundary"] == boundary for r in roles.values())


# --- template-wide -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Wired", "Full", "CrossLogs", "CrossRoles", "Bare"])
def test_no_deprecated_v1_policies(built: Built, name: str) -> None:
    text = json.dumps(built.templates[name].to_json())
    assert "AmazonElasticMapReduceforEC2Role" not in text
    assert "AmazonElasticMapReduceRole" not in text
    assert "AmazonSSMManagedInstanceCore" not in text


@pytest.mark.parametrize("name", ["Wired", "Full", "CrossLogs", "CrossRoles", "Bare"])
def test_cfn_lint_is_clean(built: Built, name: str) -> None:
    matches = lint(json.dumps(built.templates[name].to_json()), config=ManualArgs(regions=[ENV.region]))
    assert [f"{m.rule.id} {m.message} {m.path}" for m in matches] == []


def test_no_ssh_key_or_other_resources(wired: Template) -> None:
    types = sorted({r["Type"] for r in wired.to_json()["Resources"].values()})
    assert types == [
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::Policy",
        "AWS::IAM::Role",
        "AWS::KMS::Key",
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
    ]
    wired.resource_count_is("AWS::IAM::Role", 2)
    wired.resource_count_is("AWS::IAM::Policy", 1)


# --- validation ----------------------------------------------------------------------------------


def _roles(**kwargs: Any) -> EmrRoles:
    return EmrRoles(cdk.Stack(cdk.App(), "Invalid", env=ENV), "Roles", **kwargs)


def test_fails_name_prefix_too_long() -> None:
    prefix = "p" * 49  # 49 + len("-EmrInstanceRole") = 65
    with pytest.raises(
        ValueError,
        match=rf"role_name_prefix='{prefix}': the role name '{prefix}-EmrInstanceRole' "
        r"has 65 characters, over IAM's limit of 64; use a prefix of at most 48 characters",
    ):
        _roles(role_name_prefix=prefix)


def test_fails_name_prefix_too_long_for_the_auto_scaling_role() -> None:
    prefix = "p" * 46  # fits the instance role, not "-EmrAutoScalingRole"
    _roles(role_name_prefix=prefix)
    with pytest.raises(ValueError, match=r"use a prefix of at most 45 characters"):
        _roles(role_name_prefix=prefix, create_auto_scaling_role=True)


@pytest.mark.parametrize("prefix", ["analytics prod", "analytics/prod", "analytïcs", ""])
def test_fails_name_prefix_characters(prefix: str) -> None:
    with pytest.raises(
        ValueError, match=r"role_name_prefix=.* has characters IAM role names do not allow: only ASCII letters"
    ):
        _roles(role_name_prefix=prefix)


def test_fails_empty_log_prefix() -> None:
    with pytest.raises(ValueError, match=r"log_prefix='/' is empty: pass the key prefix of the cluster's LogUri"):
        _roles(log_prefix="/")


def test_fails_with_every_problem_in_one_error() -> None:
    with pytest.raises(ValueError) as error:
        _roles(role_name_prefix="x y" * 30, log_prefix="")
    message = str(error.value)
    assert "over IAM's limit of 64" in message
    assert "has characters IAM role names do not allow" in message
    assert "log_prefix='' is empty" in message


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
