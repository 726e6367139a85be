"""``EmrStudio`` from plain Python: the Studio, its Workspace storage, the documented security-group rules and
roles, Identity Center session mappings, attaching a cluster and a Serverless application, the policy packs and
cfn-lint; and the ``StudioSpec`` limits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from pydantic import ValidationError

from emr_constructs import ClusterSpec, EmrCluster
from emr_constructs.serverless import EmrServerlessApplication
from emr_constructs.spec import ServerlessApplicationSpec
from emr_constructs.spec.studio import StudioSpec, cluster_attach_problems
from emr_constructs.studio import EmrStudio
from tests.constructs.test_cluster import ENV, FLEETS
from tests.nag import nag_app, policy_failures, synth_findings
from tests.spec.test_serverless import BASE
from tests.templates import cfn_lint

IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
POLICY = "arn:aws:iam::111111111111:policy/data-science-sessions"


def _cluster_spec() -> ClusterSpec:
    payload = copy.deepcopy(FLEETS)
    payload["applications"] = ["Spark", "Livy", "JupyterEnterpriseGateway"]
    payload["security"] = {"kerberos_waiver": {"reason": "studio test cluster without a KDC"}}
    return ClusterSpec.model_validate(payload)


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = nag_app()
    stack = cdk.Stack(app, "Studio", env=ENV)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="emr", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    cluster = EmrCluster(stack, "Cluster", spec=_cluster_spec(), vpc=vpc)
    serverless = EmrServerlessApplication(
        stack,
        "Serverless",
        spec=ServerlessApplicationSpec.model_validate({**copy.deepcopy(BASE), "studio": True}),
        vpc=vpc,
    )
    iam_studio = EmrStudio(stack, "IamStudio", spec=StudioSpec(name="analysts"), vpc=vpc)
    iam_studio.allow_cluster(cluster)
    iam_studio.allow_serverless(serverless)
    analysts = iam.Role(stack, "Analysts", assumed_by=iam.AccountRootPrincipal())
    iam_studio.grant_use(analysts)
    sso_studio = EmrStudio(
        stack,
        "SsoStudio",
        spec=StudioSpec.model_validate(
            {
                "name": "data-science",
                "auth_mode": "SSO",
                "idc_instance_arn": IDC,
                "allow_git": True,
                "session_mappings": [
                    {"identity_name": "data-scientists", "identity_type": "GROUP"},
                    {"identity_name": "ana@example.com", "identity_type": "USER", "session_policy_arn": POLICY},
                ],
            }
        ),
        vpc=vpc,
    )
    findings = synth_findings(app)
    template = json.loads((Path(app.outdir) / "Studio.template.json").read_text())
    return {
        "stack": stack,
        "template": template,
        "findings": findings,
        "iam": iam_studio,
        "sso": sso_studio,
        "cluster": cluster,
        "serverless": serverless,
        "analysts": analysts,
    }


def _lid(element: Any) -> str:
    target = element if isinstance(element, cdk.CfnElement) else element.node.default_child
    return cdk.Stack.of(element).get_logical_id(target)


def _props(built: dict[str, Any], construct: Any) -> dict[str, Any]:
    return built["template"]["Resources"][_lid(construct)]["Properties"]  # type: ignore[no-any-return]


def test_the_studio_renders_its_spec_and_storage(built: dict[str, Any]) -> None:
    studio = _props(built, built["iam"].cfn_studio)
    assert (studio["Name"], studio["AuthMode"]) == ("analysts", "IAM")
    assert studio["EncryptionKeyArn"] == {"Fn::GetAtt": [_lid(built["iam"].workspace_key), "Arn"]}
    assert studio["DefaultS3Location"]["Fn::Join"][1][-1] == "/workspaces/"
    assert "UserRole" not in studio and "IdcUserAssignment" not in studio
    assert len(studio["SubnetIds"]) == 2
    bucket = built["template"]["Resources"][_lid(built["iam"].workspace_bucket)]
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    sse = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_security_groups_have_exactly_the_documented_rules(built: dict[str, Any]) -> None:
    """emr-studio-security-groups: engine admits the Workspaces on 18888; Workspaces admit nothing."""
    resources = built["template"]["Resources"]
    studio = built["iam"]
    engine, workspace = _lid(studio.engine_security_group), _lid(studio.workspace_security_group)
    ingress = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
    egress = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::EC2::SecurityGroupEgress"]
    into_engine = [r for r in ingress if r["GroupId"] == {"Fn::GetAtt": [engine, "GroupId"]}]
    assert [(r["FromPort"], r["ToPort"], r["SourceSecurityGroupId"]) for r in into_engine] == [
        (18888, 18888, {"Fn::GetAtt": [workspace, "GroupId"]})
    ]
    assert not [r for r in ingress if r["GroupId"] == {"Fn::GetAtt": [workspace, "GroupId"]}]
    out_of_workspace = [r for r in egress if r["GroupId"] == {"Fn::GetAtt": [workspace, "GroupId"]}]
    assert [(r["FromPort"], r["DestinationSecurityGroupId"]) for r in out_of_workspace] == [
        (18888, {"Fn::GetAtt": [engine, "GroupId"]})
    ]
    # With allow_git, HTTPS anywhere, and still nothing inbound.
    sso = built["sso"]
    git = _props(built, sso.workspace_security_group)["SecurityGroupEgress"]
    assert {
        "CidrIp": "0.0.0.0/0",
        "FromPort": 443,
        "ToPort": 443,
        "IpProtocol": "tcp",
        "Description": "Public Git repositories (HTTPS)",
    } in git


def test_an_attached_cluster_admits_the_engine_on_18888(built: dict[str, Any]) -> None:
    resources = built["template"]["Resources"]
    primary = _lid(built["cluster"].primary_security_group)
    engine = _lid(built["iam"].engine_security_group)
    rules = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
        and r["Properties"]["GroupId"] == {"Fn::GetAtt": [primary, "GroupId"]}
        and r["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [engine, "GroupId"]}
    ]
    assert [(r["FromPort"], r["ToPort"]) for r in rules] == [(18888, 18888)]


def test_the_service_role_is_trusted_by_emr_for_this_account_with_the_documented_statements(
    built: dict[str, Any],
) -> None:
    role = _props(built, built["iam"].service_role)
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "elasticmapreduce.amazonaws.com"}
    assert set(statement["Condition"]) == {"StringEquals", "ArnLike"}
    sids = [s["Sid"] for s in _props(built, built["iam"].service_policy)["PolicyDocument"]["Statement"]]
    assert len(sids) == 16 and "AllowAddingTagsDuringEC2ENICreation" in sids
    assert "AllowEMRStudioWorkspaceStorageEncryptionAccess" in sids


def test_the_workspace_key_admits_the_service_role_through_s3_only(built: dict[str, Any]) -> None:
    key = _props(built, built["iam"].workspace_key)
    (statement,) = [s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "AllowEMRStudioServiceRoleAccess"]
    assert statement["Principal"] == {"AWS": {"Fn::GetAtt": [_lid(built["iam"].service_role), "Arn"]}}
    assert statement["Condition"]["StringEquals"]["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"


def test_users_may_attach_the_cluster_and_the_application_and_sign_in(built: dict[str, Any]) -> None:
    document = json.dumps(_props(built, built["iam"].user_policy)["PolicyDocument"])
    for action in (
        "elasticmapreduce:AttachEditor",
        "elasticmapreduce:CreateStudioPresignedUrl",
        "emr-serverless:AccessInteractiveEndpoints",
        "elasticmapreduce:DescribeCluster",
    ):
        assert action in document
    assert '"iam:PassedToService": "emr-serverless.amazonaws.com"' in document
    policy = _props(built, built["iam"].user_policy)
    assert policy["Roles"] == [{"Ref": _lid(built["analysts"])}]


def test_identity_center_studio_has_a_user_role_and_session_mappings(built: dict[str, Any]) -> None:
    sso = built["sso"]
    studio = _props(built, sso.cfn_studio)
    assert (studio["AuthMode"], studio["IdcInstanceArn"], studio["IdcUserAssignment"]) == ("SSO", IDC, "REQUIRED")
    assert studio["UserRole"] == {"Fn::GetAtt": [_lid(sso.user_role), "Arn"]}
    actions = {
        a
        for s in _props(built, sso.user_role)["AssumeRolePolicyDocument"]["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {"sts:AssumeRole", "sts:SetContext"}
    mappings = [
        r["Properties"]
        for r in built["template"]["Resources"].values()
        if r["Type"] == "AWS::EMR::StudioSessionMapping"
    ]
    assert {(m["IdentityName"], m["IdentityType"]) for m in mappings} == {
        ("data-scientists", "GROUP"),
        ("ana@example.com", "USER"),
    }
    policies = {m["IdentityName"]: m["SessionPolicyArn"] for m in mappings}
    assert policies["ana@example.com"] == POLICY
    assert policies["data-scientists"] == {"Ref": _lid(sso.user_policy)}
    document = json.dumps(_props(built, sso.user_policy)["PolicyDocument"])
    assert "CreateStudioPresignedUrl" not in document  # Identity Center users sign in through Identity Center


def test_the_policy_packs_find_nothing_of_the_studios(built: dict[str, Any]) -> None:
    ours = [f for f in policy_failures(built["findings"]) if "IamStudio/" in f or "SsoStudio/" in f or "Analysts" in f]
    assert ours == []


def test_cfn_lint_is_clean(built: dict[str, Any]) -> None:
    findings = cfn_lint(built["template"])
    assert [f for f in findings if not (f.startswith("W3010 ") and "/Resources/Vpc" in f.replace("(", "/"))] == []


def test_fails_attaching_a_serverless_application_without_studio_use(built: dict[str, Any]) -> None:
    stack = built["stack"]
    plain = EmrServerlessApplication(
        stack,
        "Plain",
        spec=ServerlessApplicationSpec.model_validate({**copy.deepcopy(BASE), "name": "plain"}),
        vpc=built["cluster"].node.scope.node.find_child("Vpc"),
    )
    with pytest.raises(ValueError, match=r"studio: the application's interactive Studio use is off"):
        built["iam"].allow_serverless(plain)


def test_fails_more_than_five_subnets() -> None:
    stack = cdk.Stack(cdk.App(), "Wide", env=cdk.Environment(account="111111111111", region="us-east-1"))
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"],
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name=f"s{i}", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
            for i in range(2)
        ],
    )
    with pytest.raises(ValueError, match=r"6 subnets; a Studio takes at most 5"):
        EmrStudio(stack, "Studio", spec=StudioSpec(name="wide"), vpc=vpc)


# -- the spec --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "pattern"),
    [
        ({"name": "has space"}, "name"),
        ({"name": "s", "auth_mode": "SSO"}, "idc_instance_arn: an IAM Identity Center studio needs"),
        ({"name": "s", "trusted_identity_propagation": True}, "only IAM Identity Center studios"),
        ({"name": "s", "session_mappings": [{"identity_name": "g", "identity_type": "GROUP"}]}, "only IAM Identity"),
        (
            {"name": "s", "auth_mode": "SSO", "idc_instance_arn": IDC, "idp_auth_url": "https://idp.example.com/x"},
            "IdP federation is for IAM studios",
        ),
        (
            {
                "name": "s",
                "auth_mode": "SSO",
                "idc_instance_arn": IDC,
                "session_mappings": [{"identity_name": f"g{i}", "identity_type": "GROUP"} for i in range(6)],
            },
            "at most 5 Identity Center groups",
        ),
        (
            {
                "name": "s",
                "auth_mode": "SSO",
                "idc_instance_arn": IDC,
                "session_mappings": [{"identity_name": "g", "identity_type": "GROUP"}] * 2,
            },
            "mapped twice",
        ),
        (
            {
                "name": "s",
                "auth_mode": "SSO",
                "idc_instance_arn": IDC,
                "trusted_identity_propagation": True,
                "serverless_applications": ["spark"],
            },
            "cannot use EMR Serverless",
        ),
        ({"name": "s", "idc_instance_arn": "arn:aws:sso:::instance/nope"}, "idc_instance_arn"),
    ],
    ids=[
        "name",
        "sso-without-instance",
        "tip-on-iam",
        "mappings-on-iam",
        "idp-on-sso",
        "six-groups",
        "twice",
        "tip-serverless",
        "bad-instance-arn",
    ],
)
def test_fails_studio_spec(payload: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ValidationError, match=pattern):
        StudioSpec.model_validate(payload)


def test_fails_clusters_workspaces_cannot_attach() -> None:
    payload = copy.deepcopy(FLEETS)
    payload["applications"] = ["Spark"]
    payload["security"] = {"kerberos_waiver": {"reason": "studio test cluster without a KDC"}}
    problems = cluster_attach_problems(ClusterSpec.model_validate(payload))
    assert [path for path, _, _ in problems] == ["applications"]
    assert cluster_attach_problems(_cluster_spec()) == []


def test_the_vpc_is_tagged_for_the_service_role(built: dict[str, Any]) -> None:
    resources = built["template"]["Resources"]
    vpc = next(r for r in resources.values() if r["Type"] == "AWS::EC2::VPC")
    assert {"Key": "for-use-with-amazon-emr-managed-policies", "Value": "true"} in vpc["Properties"]["Tags"]


def test_fails_attaching_a_serverless_application_to_a_studio_with_trusted_identity_propagation(
    built: dict[str, Any],
) -> None:
    stack = built["stack"]
    tip = EmrStudio(
        stack,
        "TipStudio",
        spec=StudioSpec(name="tip", auth_mode="SSO", idc_instance_arn=IDC, trusted_identity_propagation=True),
        vpc=built["cluster"].node.scope.node.find_child("Vpc"),
    )
    with pytest.raises(ValueError, match=r"trusted_identity_propagation: a Studio with trusted identity propagation"):
        tip.allow_serverless(built["serverless"])
