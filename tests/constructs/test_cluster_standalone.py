"""``EmrCluster`` in a user's own CDK app: their ``ec2.Vpc``, their roles, their security configuration.

``AmazonEMRServicePolicy_v2`` launches only into subnets, and manages only security groups, tagged
``for-use-with-amazon-emr-managed-policies=true`` (EMR Management Guide, "IAM service role for Amazon EMR (EMR
role)"); EMR adds rules by which its managed groups reference each other, which block their deletion until revoked
(EMR Management Guide, "Working with Amazon EMR-managed security groups"). The templates below prove both for the
stack a user gets, and the bring-your-own parameters.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from emr_constructs import ClusterSpec, EmrCluster
from tests.constructs.test_cluster import ENV, FLEETS, GROUPS
from tests.nag import nag_app, policy_failures, synth_findings
from tests.templates import cfn_lint

EMR_TAG = {"Key": "for-use-with-amazon-emr-managed-policies", "Value": "true"}
SERVICE_ROLE_ARN = "arn:aws:iam::111111111111:role/central/emr-service"
INSTANCE_ROLE_ARN = "arn:aws:iam::111111111111:role/central/emr-instance"
AUTO_SCALING_ROLE_ARN = "arn:aws:iam::111111111111:role/central/emr-auto-scaling"
CLEANUP = "Custom::EmrSecurityGroupCleanup"
STACKS = ("OwnVpc", "ImportedNetwork", "OwnRoles", "CentralRoles", "ExternalConfiguration")


def _own_vpc(stack: cdk.Stack) -> ec2.Vpc:
    """Two groups of isolated subnets: the cluster is placed in ``emr`` only."""
    return ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="emr", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=22),
            ec2.SubnetConfiguration(name="other", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
        ],
    )


#: The test clusters run without a KDC, waived in the spec as a user would (the findings are then acknowledged).
WAIVER = {"reason": "standalone placement and roles test clusters without a KDC in the way"}


def _spec(payload: dict[str, Any] = FLEETS) -> ClusterSpec:
    payload = copy.deepcopy(payload)
    payload["security"] = {**payload.get("security", {}), "kerberos_waiver": WAIVER}
    return ClusterSpec.model_validate(payload)


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = nag_app()
    out: dict[str, Any] = {"app": app}

    own = cdk.Stack(app, "OwnVpc", env=ENV)
    out["own"] = EmrCluster(
        own,
        "Cluster",
        spec=_spec(),
        vpc=_own_vpc(own),
        vpc_subnets=ec2.SubnetSelection(subnet_group_name="emr"),
    )

    imported = cdk.Stack(app, "ImportedNetwork", env=ENV)
    vpc = ec2.Vpc.from_vpc_attributes(
        imported,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        private_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
    )
    groups = [
        ec2.SecurityGroup.from_security_group_id(imported, n, f"sg-0123456789abcdef{i}") for i, n in enumerate("PCS")
    ]
    out["imported"] = EmrCluster(
        imported,
        "Cluster",
        spec=_spec(),
        vpc=vpc,
        primary_security_group=groups[0],
        core_security_group=groups[1],
        service_access_security_group=groups[2],
    )

    # Roles made in the same app by the user (as a central IAM stack would), an instance profile made here.
    own_roles = cdk.Stack(app, "OwnRoles", env=ENV)
    service_role = iam.Role(
        own_roles,
        "TeamServiceRole",
        assumed_by=iam.ServicePrincipal("elasticmapreduce.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEMRServicePolicy_v2")],
    )
    instance_role = iam.Role(own_roles, "TeamInstanceRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    with_runtime = {**copy.deepcopy(FLEETS), "security": {"runtime_roles": {"roles": [{"name": "etl"}]}}}
    out["own_roles"] = EmrCluster(
        own_roles,
        "Cluster",
        spec=_spec(with_runtime),
        vpc=_own_vpc(own_roles),
        service_role=service_role,
        instance_role=instance_role,
    )
    out["own_roles_ids"] = (
        own_roles.get_logical_id(service_role.node.default_child),  # type: ignore[arg-type]
        own_roles.get_logical_id(instance_role.node.default_child),  # type: ignore[arg-type]
    )

    # Roles of a central IAM team, known by ARN, with their existing instance profile.
    central = cdk.Stack(app, "CentralRoles", env=ENV)
    out["central"] = EmrCluster(
        central,
        "Cluster",
        spec=_spec(GROUPS),
        vpc=_own_vpc(central),
        service_role=iam.Role.from_role_arn(central, "Service", SERVICE_ROLE_ARN),
        instance_role=iam.Role.from_role_arn(central, "Instance", INSTANCE_ROLE_ARN),
        instance_profile_name="emr-instance",
        auto_scaling_role=iam.Role.from_role_arn(central, "AutoScaling", AUTO_SCALING_ROLE_ARN),
    )

    external = cdk.Stack(app, "ExternalConfiguration", env=ENV)
    out["external"] = EmrCluster(
        external, "Cluster", spec=_spec(), vpc=_own_vpc(external), security_configuration_name="central-emr-security"
    )

    out["findings"] = synth_findings(app)
    out["templates"] = {
        name: Template.from_json(json.loads((Path(app.outdir) / f"{name}.template.json").read_text()))
        for name in STACKS
    }
    return out


def _resources(built: dict[str, Any], stack: str, kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = built["templates"][stack].find_resources(kind)
    return found


def _cluster(built: dict[str, Any], stack: str) -> dict[str, Any]:
    (resource,) = _resources(built, stack, "AWS::EMR::Cluster").values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def _warnings(built: dict[str, Any], stack: str) -> list[str]:
    """The warnings on the cluster construct of ``stack`` (as written into the cloud assembly)."""
    cluster = built["app"].node.find_child(stack).node.find_child("Cluster")
    return [str(entry.data) for entry in cluster.node.metadata if entry.type == "aws:cdk:warning"]


def _subnets_by_group(built: dict[str, Any], stack: str) -> dict[str, dict[str, dict[str, Any]]]:
    groups: dict[str, dict[str, dict[str, Any]]] = {"emr": {}, "other": {}}
    for logical_id, subnet in _resources(built, stack, "AWS::EC2::Subnet").items():
        name = next(t["Value"] for t in subnet["Properties"]["Tags"] if t["Key"] == "aws-cdk:subnet-name")
        groups[name][logical_id] = subnet
    return groups


# -- subnets and security groups in the user's VPC -----------------------------------------------------------


def test_the_cluster_launches_into_the_selected_subnets_only(built: dict[str, Any]) -> None:
    subnets = _subnets_by_group(built, "OwnVpc")
    launched = _cluster(built, "OwnVpc")["Instances"]["Ec2SubnetIds"]
    assert sorted(launched, key=str) == sorted(({"Ref": k} for k in subnets["emr"]), key=str)
    assert len(subnets["emr"]) == 2


def test_the_selected_subnets_carry_the_emr_tag_and_the_others_do_not(built: dict[str, Any]) -> None:
    subnets = _subnets_by_group(built, "OwnVpc")
    for subnet in subnets["emr"].values():
        assert EMR_TAG in subnet["Properties"]["Tags"]
    for subnet in subnets["other"].values():
        assert EMR_TAG not in subnet["Properties"]["Tags"]


def test_the_groups_it_creates_are_tagged_and_cleaned_up_before_deletion(built: dict[str, Any]) -> None:
    groups = _resources(built, "OwnVpc", "AWS::EC2::SecurityGroup")
    assert len(groups) == 3
    for group in groups.values():
        assert EMR_TAG in group["Properties"]["Tags"]
    (cleanup,) = _resources(built, "OwnVpc", CLEANUP).values()
    assert sorted(cleanup["Properties"]["SecurityGroupIds"], key=str) == sorted(
        ({"Fn::GetAtt": [k, "GroupId"]} for k in groups), key=str
    )
    # Deleted (and run) before the groups: it references each of them (Fn::GetAtt above), so CloudFormation
    # creates it after them and deletes it first.


def test_the_cleanup_log_group_is_retained_and_encrypted_with_the_log_key(built: dict[str, Any]) -> None:
    cleanup_groups = {
        k: g for k, g in _resources(built, "OwnVpc", "AWS::Logs::LogGroup").items() if "SecurityGroupCleanup" in k
    }
    ((_, group),) = cleanup_groups.items()
    assert group["DeletionPolicy"] == "Retain" and group["UpdateReplacePolicy"] == "Retain"
    (key_id,) = [k for k in _resources(built, "OwnVpc", "AWS::KMS::Key") if k.startswith("ClusterLogs")]
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    key = _resources(built, "OwnVpc", "AWS::KMS::Key")[key_id]
    sids = [s.get("Sid") for s in key["Properties"]["KeyPolicy"]["Statement"]]
    assert "AllowCloudWatchLogsForLogGroupsOfThisAccountAndRegion" in sids


def test_imported_subnets_and_groups_are_named_in_warnings(built: dict[str, Any]) -> None:
    warnings = _warnings(built, "ImportedNetwork")
    subnets = r"subnet-0123456789abcdef0.*subnet-0123456789abcdef1.*for-use-with-amazon-emr-managed-policies=true"
    groups = r"sg-0123456789abcdef0.*sg-0123456789abcdef1.*sg-0123456789abcdef2.*for-use-with-amazon-emr-managed"
    assert [w for w in warnings if re.search(subnets, w)], warnings
    assert [w for w in warnings if re.search(groups, w)], warnings
    assert _resources(built, "ImportedNetwork", CLEANUP) == {}
    assert _resources(built, "ImportedNetwork", "AWS::EC2::SecurityGroup") == {}


def test_owned_subnets_raise_no_tag_warning(built: dict[str, Any]) -> None:
    for stack in ("OwnVpc", "OwnRoles", "CentralRoles", "ExternalConfiguration"):
        assert [w for w in _warnings(built, stack) if "cannot be tagged here" in w] == []


# -- bring your own roles ------------------------------------------------------------------------------------


def test_own_roles_are_the_clusters_roles_with_a_new_instance_profile(built: dict[str, Any]) -> None:
    service_id, instance_id = built["own_roles_ids"]
    properties = _cluster(built, "OwnRoles")
    assert properties["ServiceRole"] == {"Fn::GetAtt": [service_id, "Arn"]}
    (profile_id, profile) = next(iter(_resources(built, "OwnRoles", "AWS::IAM::InstanceProfile").items()))
    assert properties["JobFlowRole"] == {"Ref": profile_id}
    assert profile["Properties"]["Roles"] == [{"Ref": instance_id}]
    assert profile["Properties"]["InstanceProfileName"] == {"Ref": instance_id}
    # No cluster role of the library's own: the user's two and the runtime role (the clean-up function aside).
    roles = {k for k in _resources(built, "OwnRoles", "AWS::IAM::Role") if "SecurityGroupCleanup" not in k}
    assert roles == {
        service_id,
        instance_id,
        *(k for k in _resources(built, "OwnRoles", "AWS::IAM::Role") if "RuntimeRoleetl" in k),
    }


def test_the_service_role_may_pass_the_instance_role_to_ec2_only(built: dict[str, Any]) -> None:
    service_id, instance_id = built["own_roles_ids"]
    (policy,) = [
        p for k, p in _resources(built, "OwnRoles", "AWS::IAM::ManagedPolicy").items() if "ServiceRoleAccess" in k
    ]
    assert policy["Properties"]["Roles"] == [{"Ref": service_id}]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "iam:PassRole"
    assert statement["Resource"] == {"Fn::GetAtt": [instance_id, "Arn"]}
    assert statement["Condition"] == {"StringLike": {"iam:PassedToService": "ec2.amazonaws.com*"}}


def test_runtime_roles_trust_the_given_instance_role(built: dict[str, Any]) -> None:
    _, instance_id = built["own_roles_ids"]
    (role,) = [r for k, r in _resources(built, "OwnRoles", "AWS::IAM::Role").items() if "RuntimeRoleetl" in k]
    principals = [s["Principal"] for s in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]]
    assert principals == [{"AWS": {"Fn::GetAtt": [instance_id, "Arn"]}}] * 2


def test_central_roles_by_arn_with_an_existing_profile(built: dict[str, Any]) -> None:
    properties = _cluster(built, "CentralRoles")
    assert properties["ServiceRole"] == SERVICE_ROLE_ARN
    assert properties["JobFlowRole"] == "emr-instance"
    assert _resources(built, "CentralRoles", "AWS::IAM::InstanceProfile") == {}
    assert [k for k in _resources(built, "CentralRoles", "AWS::IAM::Role") if "SecurityGroupCleanup" not in k] == []
    policies = _resources(built, "CentralRoles", "AWS::IAM::ManagedPolicy")
    (logs,) = [p for k, p in policies.items() if "InstanceRoleAccess" in k]
    assert logs["Properties"]["Roles"] == ["emr-instance"]
    assert properties["AutoScalingRole"] == AUTO_SCALING_ROLE_ARN
    (passing,) = [p for k, p in policies.items() if "ServiceRoleAccess" in k]
    assert passing["Properties"]["Roles"] == ["emr-service"]
    assert {s["Resource"] for s in passing["Properties"]["PolicyDocument"]["Statement"]} == {
        INSTANCE_ROLE_ARN,
        AUTO_SCALING_ROLE_ARN,
    }


def test_an_external_security_configuration_is_used_by_name_with_a_warning(built: dict[str, Any]) -> None:
    assert _cluster(built, "ExternalConfiguration")["SecurityConfiguration"] == "central-emr-security"
    assert _resources(built, "ExternalConfiguration", "AWS::EMR::SecurityConfiguration") == {}
    assert [w for w in _warnings(built, "ExternalConfiguration") if re.search("central-emr-security.*key grants", w)]


def test_the_library_constructs_pass_every_policy_pack(built: dict[str, Any]) -> None:
    """The user's own VPC and roles are theirs to judge; everything under the cluster construct passes."""
    ours = [f for f in policy_failures(built["findings"]) if "/Cluster/" in f or f.endswith("/Cluster")]
    expected_warnings = {"emr-constructs:cluster-untagged-subnets", "emr-constructs:cluster-untagged-security-groups"}
    expected_warnings.add("emr-constructs:cluster-external-security-configuration")
    assert [f for f in ours if not any(w in f for w in expected_warnings)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_cfn_lint_is_clean(built: dict[str, Any], stack: str) -> None:
    """W3010 (hard-coded availability zones) is about the user's own VPC, whose subnets name their zones."""
    findings = cfn_lint(built["templates"][stack].to_json())
    assert [f for f in findings if not (f.startswith("W3010 ") and "/Resources/Vpc" in f.replace("(", "/"))] == []


# -- wrong arguments -----------------------------------------------------------------------------------------


def _attempt(**kwargs: Any) -> None:
    stack = cdk.Stack(cdk.App(), "Attempt", env=ENV)
    payload = kwargs.pop("payload", FLEETS)
    EmrCluster(stack, "Cluster", spec=_spec(payload), vpc=_own_vpc(stack), **kwargs)


def test_fails_roles_with_own_roles() -> None:
    from emr_constructs import EmrRoles

    stack = cdk.Stack(cdk.App(), "Attempt", env=ENV)
    role = iam.Role.from_role_arn(stack, "Service", SERVICE_ROLE_ARN)
    with pytest.raises(ValueError, match=r"pass roles or \['service_role'\], not both"):
        EmrCluster(stack, "Cluster", spec=_spec(), vpc=_own_vpc(stack), roles=EmrRoles(stack, "R"), service_role=role)


def test_fails_a_service_role_without_an_instance_role() -> None:
    stack = cdk.Stack(cdk.App(), "Attempt", env=ENV)
    role = iam.Role.from_role_arn(stack, "Service", SERVICE_ROLE_ARN)
    with pytest.raises(ValueError, match="without both service_role and instance_role"):
        EmrCluster(stack, "Cluster", spec=_spec(), vpc=_own_vpc(stack), service_role=role)


def test_fails_an_instance_profile_without_roles() -> None:
    with pytest.raises(ValueError, match=r"\['instance_profile_name'\] given without both"):
        _attempt(instance_profile_name="emr-instance")


def test_fails_custom_auto_scaling_without_an_auto_scaling_role() -> None:
    scaling = copy.deepcopy(GROUPS)
    stack = cdk.Stack(cdk.App(), "Attempt", env=ENV)
    service = iam.Role.from_role_arn(stack, "Service", SERVICE_ROLE_ARN)
    instance = iam.Role.from_role_arn(stack, "Instance", INSTANCE_ROLE_ARN)
    spec = _spec(scaling)
    assert spec.uses_custom_auto_scaling
    with pytest.raises(ValueError, match="Fix: pass auto_scaling_role"):
        EmrCluster(stack, "Cluster", spec=spec, vpc=_own_vpc(stack), service_role=service, instance_role=instance)


def test_fails_both_security_configuration_arguments() -> None:
    from emr_constructs import EmrSecurityConfiguration

    stack = cdk.Stack(cdk.App(), "Attempt", env=ENV)
    configuration = EmrSecurityConfiguration(stack, "Sc", spec=_spec().security)
    with pytest.raises(ValueError, match="security_configuration or security_configuration_name, not both"):
        EmrCluster(
            stack,
            "Cluster",
            spec=_spec(),
            vpc=_own_vpc(stack),
            security_configuration=configuration,
            security_configuration_name="central",
        )


def test_fails_a_selection_without_subnets() -> None:
    with pytest.raises(ValueError, match="no subnets to launch in"):
        _attempt(vpc_subnets=ec2.SubnetSelection(availability_zones=["eu-west-1c"]))


def test_fails_some_security_groups_only() -> None:
    stack = cdk.Stack(cdk.App(), "Attempt", env=ENV)
    group = ec2.SecurityGroup.from_security_group_id(stack, "G", "sg-0123456789abcdef0")
    with pytest.raises(ValueError, match="all three EMR-managed security groups"):
        EmrCluster(stack, "Cluster", spec=_spec(), vpc=_own_vpc(stack), primary_security_group=group)
