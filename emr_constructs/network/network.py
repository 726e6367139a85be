"""``EmrNetwork``: private subnets for EMR on EC2 (new VPC or existing) and EMR's managed security groups."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from emr_constructs.lint_suppressions import ignore_cfn_lint
from emr_constructs.logging.keys import admit_cloudwatch_logs
from emr_constructs.network.cleanup import SecurityGroupRuleCleanup
from emr_constructs.network.endpoints import add_endpoints
from emr_constructs.network.security_groups import create_emr_security_groups
from emr_constructs.spec.network import cidr_problem, nat_gateway_problem, subnet_count_problem, zone_problems
from emr_constructs.spec.problems import Problem
from emr_constructs.tagging import (
    EMR_MANAGED_POLICY_TAG_KEY,
    EMR_MANAGED_POLICY_TAG_VALUE,
    tag_for_emr_managed_policy,
)

_PUBLIC_SUBNET_MASK = 26  # public subnets hold only NAT gateways


class EmrNetwork(Construct):
    """Private subnets, VPC endpoints, flow logs and the three EMR-managed security groups of a cluster.

    The security groups are tagged ``for-use-with-amazon-emr-managed-policies=true``, and so are the subnets
    this construct can tag (not imported ones): ``AmazonEMRServicePolicy_v2`` acts only on tagged resources.
    A custom resource revokes the rules EMR adds between the groups when the stack is deleted.
    """

    vpc: ec2.IVpc
    subnets: list[ec2.ISubnet]
    primary_security_group: ec2.ISecurityGroup
    core_security_group: ec2.ISecurityGroup
    service_access_security_group: ec2.ISecurityGroup
    log_key: kms.IKey
    flow_log: ec2.FlowLog | None
    security_group_cleanup: SecurityGroupRuleCleanup

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        availability_zones: Sequence[str],
        cidr: str = "10.0.0.0/16",
        nat_gateways: int = 0,
        vpc: ec2.IVpc | None = None,
        interface_endpoints: bool = True,
        flow_log_key: kms.IKey | None = None,
        flow_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        """Create the network.

        :param availability_zones: the AZ names to use, e.g. ``["eu-west-1a", "eu-west-1b"]`` (required). With
            ``vpc`` given, they are only checked against the stack's region. See ``availability_zones_context``
            for synth without AWS credentials in a stack with a concrete account and region.
        :param cidr: IPv4 CIDR of the new VPC; ignored when ``vpc`` is given.
            Default: ``"10.0.0.0/16"``.
        :param nat_gateways: NAT gateways of the new VPC, at most one per zone. With 1 or more, public subnets
            are added to hold them and the private subnets route through them.
            Default: ``0``, isolated private subnets that reach AWS through the endpoints only.
        :param vpc: an existing VPC to use instead of creating one; its private (else isolated) subnets are
            used and no flow log is added (the VPC's owner decides).
            Default: ``None``, a new VPC.
        :param interface_endpoints: add the S3 gateway endpoint and the interface endpoints a private cluster
            needs; set ``False`` when the VPC already has them.
            Default: ``True``.
        :param flow_log_key: KMS key for the log groups (flow log and cleanup function). A key imported from
            another account or stack must already let ``logs.<region>.amazonaws.com`` use it for log groups of
            this account and region.
            Default: a new key with rotation, under ``removal_policy``.
        :param flow_log_retention: retention of the log groups (flow log and cleanup function).
            Default: ``logs.RetentionDays.ONE_YEAR``.
        :param removal_policy: for a created key and the log groups.
            Default: ``cdk.RemovalPolicy.RETAIN``.
        """
        _check_props(scope, availability_zones, cidr, nat_gateways)
        super().__init__(scope, id)
        self._build(
            vpc=vpc,
            availability_zones=availability_zones,
            cidr=cidr,
            nat_gateways=nat_gateways,
            interface_endpoints=interface_endpoints,
            log_key=flow_log_key,
            log_retention=flow_log_retention,
            removal_policy=removal_policy,
        )

    @classmethod
    def from_existing(
        cls,
        scope: Construct,
        id: str,
        *,
        vpc_id: str,
        availability_zones: Sequence[str],
        private_subnet_ids: Sequence[str],
        vpc_cidr_block: str | None = None,
    ) -> EmrNetwork:
        """Use an existing VPC by id (``Vpc.from_vpc_attributes``, no lookup); make only the security groups.

        No endpoints and no flow log are added. The subnets cannot be tagged from here: tag them
        ``for-use-with-amazon-emr-managed-policies=true`` where they are defined (a synth warning says so).

        :param vpc_id: the id of the VPC (required).
        :param availability_zones: the AZ names of the subnets (required).
        :param private_subnet_ids: the private subnets, as many per AZ in ``availability_zones`` order (required).
        :param vpc_cidr_block: the VPC's CIDR, for rules that need it.
            Default: ``None``, unknown (reading the imported ``vpc.vpc_cidr_block`` then fails).
        """
        _check_props(scope, availability_zones, None, 0, private_subnet_ids=private_subnet_ids)
        network = cls.__new__(cls)
        Construct.__init__(network, scope, id)
        vpc = ec2.Vpc.from_vpc_attributes(
            network,
            "Vpc",
            vpc_id=vpc_id,
            availability_zones=list(availability_zones),
            private_subnet_ids=list(private_subnet_ids),
            vpc_cidr_block=vpc_cidr_block,
        )
        network._build(
            vpc=vpc,
            availability_zones=availability_zones,
            cidr=None,
            nat_gateways=0,
            interface_endpoints=False,
            log_key=None,
            log_retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for subnet in vpc.private_subnets:
            cdk.Annotations.of(subnet).acknowledge_warning(
                "@aws-cdk/aws-ec2:noSubnetRouteTableId",
                "EmrNetwork never reads the route tables of these subnets",
            )
        cdk.Annotations.of(network).add_warning_v2(
            "emr-constructs:network-untagged-subnets",
            f"Imported subnets {list(private_subnet_ids)} cannot be tagged here. Tag them "
            f"{EMR_MANAGED_POLICY_TAG_KEY}={EMR_MANAGED_POLICY_TAG_VALUE} where they are defined: "
            "AmazonEMRServicePolicy_v2 launches instances only into tagged subnets.",
        )
        return network

    def _build(
        self,
        *,
        vpc: ec2.IVpc | None,
        availability_zones: Sequence[str],
        cidr: str | None,
        nat_gateways: int,
        interface_endpoints: bool,
        log_key: kms.IKey | None,
        log_retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        self.log_key = log_key or _new_log_key(self, removal_policy)
        admit_cloudwatch_logs(self.log_key)
        self.flow_log = None
        if vpc is None:
            _warn_if_zones_need_lookup(self)
            new_vpc = _new_vpc(self, availability_zones, cidr or "10.0.0.0/16", nat_gateways)
            self.vpc = new_vpc
            self.subnets = list(new_vpc.private_subnets if nat_gateways else new_vpc.isolated_subnets)
            self.flow_log = _add_flow_log(self, new_vpc, self.log_key, log_retention, removal_policy)
        else:
            self.vpc = vpc
            self.subnets = list(vpc.private_subnets) or list(vpc.isolated_subnets)
            if not self.subnets:
                raise ValueError(
                    f"{self.node.path}: vpc has no private or isolated subnets. Fix: give a VPC with private "
                    "subnets, or omit vpc to create one."
                )
        if interface_endpoints:
            add_endpoints(self, self.vpc, self.subnets, cidr if vpc is None else None)
        for subnet in self.subnets:
            tag_for_emr_managed_policy(subnet)

        groups = create_emr_security_groups(self, self.vpc)
        self.primary_security_group = groups.primary
        self.core_security_group = groups.core
        self.service_access_security_group = groups.service_access
        self.security_group_cleanup = SecurityGroupRuleCleanup(
            self,
            "SecurityGroupCleanup",
            security_groups=groups.all(),
            log_key=self.log_key,
            log_retention=log_retention,
            removal_policy=removal_policy,
        )


def _check_props(
    scope: Construct,
    availability_zones: Sequence[str],
    cidr: str | None,
    nat_gateways: int,
    *,
    private_subnet_ids: Sequence[str] | None = None,
) -> None:
    """Raise one ``ValueError`` naming every invalid prop, its value and the fix; tokens are skipped. The rules are
    the spec's (``emr_constructs.spec.network``), the same that a config passes through."""
    region = cdk.Stack.of(scope).region
    zones = [None if cdk.Token.is_unresolved(zone) else zone for zone in availability_zones]
    found: list[Problem | None] = [*zone_problems(None if cdk.Token.is_unresolved(region) else region, zones)]
    if cidr is not None and not cdk.Token.is_unresolved(cidr):
        found.append(cidr_problem(cidr))
    found.append(nat_gateway_problem(nat_gateways, len(availability_zones)))
    if private_subnet_ids is not None:
        found.append(subnet_count_problem(len(private_subnet_ids), len(availability_zones)))
    problems = [problem.describe() for problem in found if problem is not None]
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise ValueError(f"EmrNetwork: {len(problems)} invalid prop(s):\n{lines}")


def availability_zones_context(account: str, region: str, availability_zones: Sequence[str]) -> dict[str, list[str]]:
    """The CDK context entry that names the AZs of ``account``/``region``, so synth looks nothing up.

    ``ec2.Vpc`` reads ``Stack.availability_zones`` even when given its zones; in a stack with a concrete
    account and region that is a context lookup (AWS credentials at synth, or "missing context"). Pass the
    result as ``cdk.App(context=...)``, set it with ``app.node.set_context`` before adding stacks, or put it
    in cdk.json.
    """
    return {f"availability-zones:account={account}:region={region}": list(availability_zones)}


def _warn_if_zones_need_lookup(scope: Construct) -> None:
    stack = cdk.Stack.of(scope)
    if cdk.Token.is_unresolved(stack.account) or cdk.Token.is_unresolved(stack.region):
        return  # environment-agnostic: CDK uses placeholder zones, no lookup
    if type(stack).availability_zones is not cdk.Stack.availability_zones:
        return  # the stack names its zones itself
    (key,) = availability_zones_context(stack.account, stack.region, [])
    if stack.node.try_get_context(key) is None:
        cdk.Annotations.of(scope).add_warning_v2(
            "emr-constructs:network-availability-zone-lookup",
            f"ec2.Vpc looks up the availability zones of {stack.account}/{stack.region} at synth (AWS "
            f"credentials needed) unless context {key!r} names them. Fix: set that context to the zones, "
            "e.g. with emr_constructs.network.availability_zones_context(account, region, zones).",
        )


def _new_vpc(scope: Construct, availability_zones: Sequence[str], cidr: str, nat_gateways: int) -> ec2.Vpc:
    subnets = [
        ec2.SubnetConfiguration(
            name="Private",
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED,
        )
    ]
    if nat_gateways:
        subnets.insert(
            0,
            ec2.SubnetConfiguration(
                name="Public",
                subnet_type=ec2.SubnetType.PUBLIC,
                cidr_mask=_PUBLIC_SUBNET_MASK,
                map_public_ip_on_launch=False,
            ),
        )
    vpc = ec2.Vpc(
        scope,
        "Vpc",
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        availability_zones=list(availability_zones),
        nat_gateways=nat_gateways,
        subnet_configuration=subnets,
        enable_dns_hostnames=True,
        enable_dns_support=True,
        restrict_default_security_group=True,
    )
    for subnet in [*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets]:
        # The zones are named in configuration on purpose: synth must not look them up (W3010 prefers
        # Fn::GetAZs, whose order differs per account and would move subnets between zones).
        ignore_cfn_lint(
            subnet.node.default_child,  # type: ignore[arg-type]
            "W3010",
            "availability zones come from configuration so that synth needs no lookup",
        )
    # restrict_default_security_group adds aws-cdk-lib's own provider function, whose DependsOn on its role
    # repeats the Role reference (W3005): harmless, and not ours to change.
    provider = cdk.Stack.of(scope).node.try_find_child("Custom::VpcRestrictDefaultSGCustomResourceProvider")
    handler = provider.node.try_find_child("Handler") if provider is not None else None
    if isinstance(handler, cdk.CfnResource):
        ignore_cfn_lint(handler, "W3005", "aws-cdk-lib's own DependsOn on its provider function's role")
    for subnet in vpc.public_subnets:
        route = subnet.node.try_find_child("DefaultRoute")
        for pack in ("HIPAA.Security", "NIST.800.53.R5"):
            cdk.Validations.of(route or subnet).acknowledge(
                cdk.Acknowledgment(
                    id=f"{pack}-VPCNoUnrestrictedRouteToIGW",
                    reason="The public subnets hold only the NAT gateways (no instance gets a public IP "
                    "there); their default route to the internet gateway is what lets NAT serve the private "
                    "subnets",
                )
            )
    return vpc


def _new_log_key(scope: Construct, removal_policy: cdk.RemovalPolicy) -> kms.Key:
    return kms.Key(
        scope,
        "LogKey",
        description="Encrypts the EMR network log groups (VPC flow logs, security group cleanup)",
        enable_key_rotation=True,
        removal_policy=removal_policy,
    )


def _add_flow_log(
    scope: Construct,
    vpc: ec2.Vpc,
    key: kms.IKey,
    retention: logs.RetentionDays,
    removal_policy: cdk.RemovalPolicy,
) -> ec2.FlowLog:
    stack = cdk.Stack.of(scope)
    log_group = logs.LogGroup(
        scope, "FlowLogGroup", encryption_key=key, retention=retention, removal_policy=removal_policy
    )
    role = iam.Role(
        scope,
        "FlowLogRole",
        description="Lets VPC Flow Logs deliver this VPC's flow logs to its log group",
        assumed_by=iam.ServicePrincipal(
            "vpc-flow-logs.amazonaws.com",
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(service="ec2", resource="vpc-flow-log", resource_name="*")
                },
            },
        ),
    )
    policy = iam.ManagedPolicy(
        scope,
        "FlowLogPolicy",
        roles=[role],
        description="Write access to the VPC flow log group only",
        statements=[
            iam.PolicyStatement(
                sid="DeliverFlowLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[log_group.log_group_arn],
            )
        ],
    )
    flow_log = ec2.FlowLog(
        scope,
        "FlowLog",
        resource_type=ec2.FlowLogResourceType.from_vpc(vpc),
        destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group, role.without_policy_updates()),
        traffic_type=ec2.FlowLogTrafficType.ALL,
    )
    flow_log.node.add_dependency(policy)
    return flow_log
