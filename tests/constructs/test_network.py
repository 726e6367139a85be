"""EmrNetwork: a new VPC (with and without NAT) and an existing VPC, each synthesised once per module."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template
from cfnlint.api import ManualArgs, lint

from emr_constructs.network import INTERFACE_ENDPOINTS, EmrNetwork, availability_zones_context
from emr_constructs.tagging import EMR_MANAGED_POLICY_TAG_KEY, EMR_MANAGED_POLICY_TAG_VALUE
from tests.nag import Finding, nag_app, synth_findings

ACCOUNT, REGION = "111111111111", "eu-west-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
AZS = ["eu-west-1a", "eu-west-1b"]
VPC_ID = "vpc-0123456789abcdef0"
SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
EMR_TAG = {"Key": EMR_MANAGED_POLICY_TAG_KEY, "Value": EMR_MANAGED_POLICY_TAG_VALUE}
ENDPOINT_SERVICES = [
    "elasticmapreduce",
    "sts",
    "kms",
    "secretsmanager",
    "glue",
    "logs",
    "monitoring",
    "ssm",
    "ssmmessages",
    "ec2messages",
]


@dataclass(frozen=True)
class Synth:
    """One synthesised stack with everything the tests read from it."""

    network: EmrNetwork
    stack: cdk.Stack
    findings: list[Finding]
    template: dict[str, Any]
    manifest: dict[str, Any]
    outdir: Path

    @property
    def assertions(self) -> Template:
        return Template.from_json(self.template)

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == resource_type}

    def logical_id(self, construct: Any) -> str:
        return str(self.stack.resolve(construct.node.default_child.logical_id))

    def warnings(self) -> list[str]:
        artifact = self.manifest["artifacts"][self.stack.artifact_id]
        metadata = dict(artifact.get("metadata", {}))
        if "additionalMetadataFile" in artifact:
            metadata |= json.loads((self.outdir / artifact["additionalMetadataFile"]).read_text())
        return [
            str(entry["data"])
            for entries in metadata.values()
            for entry in entries
            if entry["type"] == "aws:cdk:warning"
        ]


def synth(build: Any, *, pin_zones: bool = True) -> Synth:
    app = nag_app()
    if pin_zones:
        for key, value in availability_zones_context(ACCOUNT, REGION, [*AZS, "eu-west-1c"]).items():
            app.node.set_context(key, value)
    stack = cdk.Stack(app, "Net", env=ENV)
    network = build(stack)
    findings = synth_findings(app)
    out = Path(app.outdir)
    return Synth(
        network=network,
        stack=stack,
        findings=findings,
        template=json.loads((out / "Net.template.json").read_text()),
        manifest=json.loads((out / "manifest.json").read_text()),
        outdir=out,
    )


@pytest.fixture(scope="module")
def isolated() -> Synth:
    return synth(lambda stack: EmrNetwork(stack, "Network", availability_zones=AZS))


@pytest.fixture(scope="module")
def natted() -> Synth:
    return synth(lambda stack: EmrNetwork(stack, "Network", availability_zones=AZS, nat_gateways=1))


@pytest.fixture(scope="module")
def existing() -> Synth:
    return synth(
        lambda stack: EmrNetwork.from_existing(
            stack,
            "Network",
            vpc_id=VPC_ID,
            availability_zones=AZS,
            private_subnet_ids=SUBNET_IDS,
            vpc_cidr_block="10.20.0.0/16",
        )
    )


@pytest.fixture(scope="module", params=["isolated", "natted", "existing"])
def every(request: pytest.FixtureRequest) -> Synth:
    synthesised: Synth = request.getfixturevalue(request.param)
    return synthesised


# --- policy packs, lint, no lookups -------------------------------------------------------------------


def test_no_policy_findings(every: Synth) -> None:
    assert [str(finding) for finding in every.findings] == []


def test_cfn_lint_has_no_errors_or_warnings(every: Synth) -> None:
    # W3010 (zones from configuration) and W3005 (CDK's DependsOn on the function role) are suppressed on
    # exactly those resources through cfn-lint metadata; nothing else may be reported.
    matches = lint(json.dumps(every.template), config=ManualArgs(regions=[REGION]))
    assert [f"{m.rule.id} {'/'.join(map(str, m.path))}: {m.message}" for m in matches] == []


def test_cfn_lint_suppressions_are_narrow(every: Synth) -> None:
    for resource in every.template["Resources"].values():
        ignored = resource.get("Metadata", {}).get("cfn-lint", {}).get("config", {}).get("ignore_checks")
        if ignored is None:
            continue
        expected = {"AWS::EC2::Subnet": ["W3010"], "AWS::Lambda::Function": ["W3005"]}
        assert ignored == expected[resource["Type"]]


def test_synth_needs_no_context_lookup(every: Synth) -> None:
    assert not every.manifest.get("missing")


def test_subnets_are_in_exactly_the_configured_zones(isolated: Synth, natted: Synth) -> None:
    for synthesised, count in ((isolated, 2), (natted, 4)):
        subnets = synthesised.resources("AWS::EC2::Subnet").values()
        assert len(subnets) == count
        assert {subnet["Properties"]["AvailabilityZone"] for subnet in subnets} == set(AZS)
    assert [subnet.availability_zone for subnet in isolated.network.subnets] == AZS


def test_warns_when_the_stack_would_look_up_its_zones() -> None:
    unpinned = synth(lambda stack: EmrNetwork(stack, "Network", availability_zones=AZS), pin_zones=False)

    assert any("emr-constructs:network-availability-zone-lookup" in w for w in unpinned.warnings())
    assert unpinned.manifest.get("missing")  # what the warning is about


# --- VPC ---------------------------------------------------------------------------------------------


def test_without_nat_the_private_subnets_are_isolated(isolated: Synth) -> None:
    assert isolated.resources("AWS::EC2::NatGateway") == {}
    assert isolated.resources("AWS::EC2::InternetGateway") == {}
    isolated.assertions.resource_properties_count_is(
        "AWS::EC2::Subnet",
        {"Tags": Match.array_with([{"Key": "aws-cdk:subnet-type", "Value": "Isolated"}])},
        2,
    )


def test_with_nat_public_subnets_hold_it_and_assign_no_public_ips(natted: Synth) -> None:
    template = natted.assertions
    template.resource_count_is("AWS::EC2::NatGateway", 1)
    template.resource_properties_count_is(
        "AWS::EC2::Subnet",
        {"Tags": Match.array_with([{"Key": "aws-cdk:subnet-type", "Value": "Private"}])},
        2,
    )
    template.resource_properties_count_is(
        "AWS::EC2::Subnet",
        {
            "MapPublicIpOnLaunch": False,
            "Tags": Match.array_with([{"Key": "aws-cdk:subnet-type", "Value": "Public"}]),
        },
        2,
    )


def test_vpc_uses_the_cidr_and_restricts_the_default_security_group(isolated: Synth) -> None:
    isolated.assertions.has_resource_properties(
        "AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True, "EnableDnsSupport": True}
    )
    isolated.assertions.resource_count_is("Custom::VpcRestrictDefaultSG", 1)


def test_s3_gateway_endpoint_serves_the_private_route_tables(isolated: Synth) -> None:
    isolated.assertions.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {
            "VpcEndpointType": "Gateway",
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]},
            "RouteTableIds": Match.array_with([{"Ref": Match.string_like_regexp("PrivateSubnet1RouteTable")}]),
        },
    )


@pytest.mark.parametrize("service", ENDPOINT_SERVICES)
def test_interface_endpoint_with_private_dns_in_the_private_subnets(isolated: Synth, service: str) -> None:
    isolated.assertions.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {
            "VpcEndpointType": "Interface",
            "ServiceName": f"com.amazonaws.{REGION}.{service}",
            "PrivateDnsEnabled": True,
            "SubnetIds": [{"Ref": isolated.logical_id(subnet)} for subnet in isolated.network.subnets],
            "SecurityGroupIds": [{"Fn::GetAtt": [Match.string_like_regexp("EndpointSecurityGroup"), "GroupId"]}],
        },
    )


def test_interface_endpoints_are_exactly_the_documented_set(isolated: Synth) -> None:
    assert len(INTERFACE_ENDPOINTS) == len(ENDPOINT_SERVICES)
    isolated.assertions.resource_properties_count_is(
        "AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Interface"}, len(ENDPOINT_SERVICES)
    )


def test_endpoint_security_group_admits_https_from_the_vpc_only(isolated: Synth) -> None:
    isolated.assertions.has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {
            "GroupDescription": Match.string_like_regexp("Interface VPC endpoints"),
            "SecurityGroupIngress": [
                {
                    "CidrIp": "10.0.0.0/16",
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "Description": Match.any_value(),
                }
            ],
            "SecurityGroupEgress": [Match.object_like({"CidrIp": "255.255.255.255/32"})],
        },
    )


def test_flow_log_goes_to_an_encrypted_retained_log_group(isolated: Synth) -> None:
    template = isolated.assertions
    template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {
            "ResourceType": "VPC",
            "ResourceId": {"Ref": Match.string_like_regexp("NetworkVpc")},
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": {"Ref": Match.string_like_regexp("NetworkFlowLogGroup")},
            "DeliverLogsPermissionArn": {"Fn::GetAtt": [Match.string_like_regexp("NetworkFlowLogRole"), "Arn"]},
        },
    )
    template.has_resource(
        "AWS::Logs::LogGroup",
        {
            "Properties": {
                "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("NetworkLogKey"), "Arn"]},
                "RetentionInDays": 365,
            },
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                            "Condition": Match.object_like({"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
                        }
                    )
                ]
            }
        },
    )


def test_log_key_rotates_is_retained_and_admits_cloudwatch_logs(isolated: Synth) -> None:
    isolated.assertions.has_resource(
        "AWS::KMS::Key",
        {
            "Properties": {
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
                                    "Condition": {
                                        "ArnLike": {
                                            "kms:EncryptionContext:aws:logs:arn": {
                                                "Fn::Join": [
                                                    "",
                                                    [
                                                        "arn:",
                                                        {"Ref": "AWS::Partition"},
                                                        f":logs:{REGION}:{ACCOUNT}:log-group:*",
                                                    ],
                                                ]
                                            }
                                        }
                                    },
                                }
                            )
                        ]
                    )
                },
            },
            "DeletionPolicy": "Retain",
        },
    )


# --- security groups ---------------------------------------------------------------------------------


def _group(synthesised: Synth, name: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [synthesised.logical_id(getattr(synthesised.network, name)), "GroupId"]}


def test_service_access_group_admits_9443_from_the_primary_group(every: Synth) -> None:
    every.assertions.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": _group(every, "service_access_security_group"),
            "SourceSecurityGroupId": _group(every, "primary_security_group"),
            "IpProtocol": "tcp",
            "FromPort": 9443,
            "ToPort": 9443,
            "Description": Match.string_like_regexp("9443"),
        },
    )


@pytest.mark.parametrize("target", ["primary_security_group", "core_security_group"])
def test_service_access_group_reaches_8443_on_primary_and_core(every: Synth, target: str) -> None:
    rule = {
        "IpProtocol": "tcp",
        "FromPort": 8443,
        "ToPort": 8443,
        "Description": Match.string_like_regexp("8443"),
    }
    every.assertions.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        {
            "GroupId": _group(every, "service_access_security_group"),
            "DestinationSecurityGroupId": _group(every, target),
            **rule,
        },
    )
    every.assertions.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": _group(every, target),
            "SourceSecurityGroupId": _group(every, "service_access_security_group"),
            **rule,
        },
    )


def test_service_access_group_allows_no_other_traffic(every: Synth) -> None:
    group = every.template["Resources"][every.logical_id(every.network.service_access_security_group)]
    assert "SecurityGroupIngress" not in group["Properties"]
    assert "SecurityGroupEgress" not in group["Properties"]  # the standalone egress rules replace the default
    every.assertions.resource_properties_count_is(
        "AWS::EC2::SecurityGroupEgress", {"GroupId": _group(every, "service_access_security_group")}, 2
    )
    every.assertions.resource_properties_count_is(
        "AWS::EC2::SecurityGroupIngress", {"GroupId": _group(every, "service_access_security_group")}, 1
    )


@pytest.mark.parametrize("name", ["primary_security_group", "core_security_group", "service_access_security_group"])
def test_security_groups_are_tagged_for_the_emr_managed_policy(every: Synth, name: str) -> None:
    group = every.template["Resources"][every.logical_id(getattr(every.network, name))]
    assert EMR_TAG in group["Properties"]["Tags"]


def test_private_subnets_are_tagged_and_public_ones_are_not(isolated: Synth, natted: Synth) -> None:
    for synthesised in (isolated, natted):
        synthesised.assertions.resource_properties_count_is(
            "AWS::EC2::Subnet", {"Tags": Match.array_with([EMR_TAG])}, 2
        )
        for subnet in synthesised.network.subnets:
            tags = synthesised.template["Resources"][synthesised.logical_id(subnet)]["Properties"]["Tags"]
            assert EMR_TAG in tags


# --- cleanup custom resource -------------------------------------------------------------------------


def test_cleanup_custom_resource_gets_the_three_groups(every: Synth) -> None:
    names = ("primary_security_group", "core_security_group", "service_access_security_group")
    every.assertions.has_resource_properties(
        "Custom::EmrSecurityGroupCleanup",
        {
            "ServiceToken": {"Fn::GetAtt": [Match.string_like_regexp("SecurityGroupCleanupFunction"), "Arn"]},
            "SecurityGroupIds": [_group(every, name) for name in names],
            "ServiceTimeout": "300",
        },
    )


def test_cleanup_runs_after_cloudformation_removed_its_own_rules(every: Synth) -> None:
    cleanup = every.logical_id(every.network.security_group_cleanup.resource)
    rules = {
        **every.resources("AWS::EC2::SecurityGroupIngress"),
        **every.resources("AWS::EC2::SecurityGroupEgress"),
    }
    assert len(rules) == 5
    for rule in rules.values():
        assert cleanup in rule["DependsOn"]


def test_cleanup_function_is_a_plain_python_function(every: Synth) -> None:
    every.assertions.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.14",
            "Handler": "index.handler",
            "ReservedConcurrentExecutions": Match.absent(),
            "Timeout": 120,
            "LoggingConfig": {"LogGroup": {"Ref": Match.string_like_regexp("SecurityGroupCleanupLogGroup")}},
            "Code": {"S3Bucket": Match.any_value(), "S3Key": Match.string_like_regexp(r"\.zip$")},
        },
    )
    function = next(
        resource for key, resource in every.resources("AWS::Lambda::Function").items() if "SecurityGroupCleanup" in key
    )
    assert any("SecurityGroupCleanupPolicy" in dependency for dependency in function["DependsOn"])


def test_cleanup_role_has_only_its_written_out_policy(every: Synth) -> None:
    role = next(v for k, v in every.resources("AWS::IAM::Role").items() if "SecurityGroupCleanupRole" in k)
    assert "ManagedPolicyArns" not in role["Properties"]
    assert "Policies" not in role["Properties"]
    every.assertions.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("SecurityGroupCleanupRole")}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DescribeRules",
                        "Effect": "Allow",
                        "Action": "ec2:DescribeSecurityGroupRules",
                        "Resource": "*",
                    },
                    {
                        "Sid": "RevokeCrossReferences",
                        "Effect": "Allow",
                        "Action": ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
                        "Resource": Match.array_with(
                            [
                                Match.object_like(
                                    {
                                        "Fn::Join": [
                                            "",
                                            Match.array_with([f":ec2:{REGION}:{ACCOUNT}:security-group/"]),
                                        ]
                                    }
                                )
                            ]
                        ),
                    },
                    {
                        "Sid": "WriteOwnLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("SecurityGroupCleanupLogGroup"), "Arn"]},
                    },
                ],
            },
        },
    )


def test_cleanup_log_group_is_encrypted_with_retention(every: Synth) -> None:
    every.assertions.has_resource_properties(
        "AWS::Logs::LogGroup",
        {
            "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("NetworkLogKey"), "Arn"]},
            "RetentionInDays": 365,
        },
    )


# --- existing VPC ------------------------------------------------------------------------------------


def test_from_existing_makes_only_the_groups_and_their_cleanup(existing: Synth) -> None:
    for resource_type in ("AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::VPCEndpoint", "AWS::EC2::FlowLog"):
        assert existing.resources(resource_type) == {}
    existing.assertions.resource_properties_count_is("AWS::EC2::SecurityGroup", {"VpcId": VPC_ID}, 3)
    assert [subnet.subnet_id for subnet in existing.network.subnets] == SUBNET_IDS
    assert existing.network.vpc.vpc_id == VPC_ID


def test_from_existing_warns_only_that_the_subnets_need_the_tag(existing: Synth) -> None:
    (warning,) = existing.warnings()
    assert "emr-constructs:network-untagged-subnets" in warning
    assert all(subnet_id in warning for subnet_id in SUBNET_IDS)


def test_a_new_vpc_synthesises_without_warnings(isolated: Synth, natted: Synth) -> None:
    assert isolated.warnings() == natted.warnings() == []


def test_given_vpc_and_key_are_used_as_they_are() -> None:
    def build(stack: cdk.Stack) -> EmrNetwork:
        from aws_cdk import aws_ec2 as ec2

        vpc = ec2.Vpc(
            stack,
            "Shared",
            availability_zones=AZS,
            nat_gateways=0,
            restrict_default_security_group=True,
            subnet_configuration=[ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
        )
        for rule_id in (
            "AwsSolutions-VPC7",
            "HIPAA.Security-VPCFlowLogsEnabled",
            "NIST.800.53.R5-VPCFlowLogsEnabled",
        ):
            reason = "Test fixture: the owner of a shared VPC decides its flow logs, not EmrNetwork"
            cdk.Validations.of(vpc).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))
        key = kms.Key(stack, "Key", enable_key_rotation=True)
        return EmrNetwork(stack, "Network", availability_zones=AZS, vpc=vpc, flow_log_key=key)

    synthesised = synth(build)
    assert [str(finding) for finding in synthesised.findings] == []
    template = synthesised.assertions
    template.resource_count_is("AWS::EC2::VPC", 1)
    template.resource_count_is("AWS::KMS::Key", 1)
    template.resource_count_is("AWS::EC2::FlowLog", 0)
    template.resource_properties_count_is("AWS::EC2::Subnet", {"Tags": Match.array_with([EMR_TAG])}, 2)
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [Match.object_like({"Principal": {"Service": f"logs.{REGION}.amazonaws.com"}})]
                )
            }
        },
    )


# --- validation --------------------------------------------------------------------------------------


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Net", env=ENV)


def test_fails_without_availability_zones(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"availability_zones: must name at least one availability zone"):
        EmrNetwork(stack, "Network", availability_zones=[])


def test_fails_on_a_zone_of_another_region(stack: cdk.Stack) -> None:
    with pytest.raises(
        ValueError,
        match=r"availability_zones\[1\]: is not an availability zone of the region eu-west-1 \(got 'us-east-1a'\)",
    ):
        EmrNetwork(stack, "Network", availability_zones=["eu-west-1a", "us-east-1a"])


def test_fails_from_existing_without_subnets(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"private_subnet_ids: must name at least one private subnet \(got \[\]\)"):
        EmrNetwork.from_existing(stack, "Network", vpc_id=VPC_ID, availability_zones=AZS, private_subnet_ids=[])


def test_fails_listing_every_problem_at_once(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"3 invalid prop\(s\)") as error:
        EmrNetwork(stack, "Network", availability_zones=["eu-west-10a"], cidr="10.0.0.0/8", nat_gateways=2)
    message = str(error.value)
    assert "eu-west-10a" in message
    assert "cidr: a VPC CIDR must have a prefix from /16 to /24 (got '10.0.0.0/8')" in message
    assert "nat_gateways: must be from 0 to the number of availability zones (1)" in message


def test_fails_from_existing_with_uneven_subnets(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match=r"3 subnet\(s\) for 2 availability zone\(s\)"):
        EmrNetwork.from_existing(
            stack,
            "Network",
            vpc_id=VPC_ID,
            availability_zones=AZS,
            private_subnet_ids=[*SUBNET_IDS, "subnet-9"],
        )


def test_zones_are_not_checked_in_an_environment_agnostic_stack() -> None:
    stack = cdk.Stack(cdk.App(), "Agnostic")
    network = EmrNetwork(stack, "Network", availability_zones=["us-east-1a", "us-east-1b"])
    assert [subnet.availability_zone for subnet in network.subnets] == ["us-east-1a", "us-east-1b"]
