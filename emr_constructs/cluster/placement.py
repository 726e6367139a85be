"""Where a cluster launches: its subnets and EMR-managed security groups, tagged for ``AmazonEMRServicePolicy_v2``,
and a rule clean-up for the groups it creates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import Annotations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from emr_constructs.logging.keys import admit_cloudwatch_logs
from emr_constructs.network import create_emr_security_groups
from emr_constructs.network.cleanup import SecurityGroupRuleCleanup
from emr_constructs.tagging import EMR_MANAGED_POLICY_TAG_KEY, EMR_MANAGED_POLICY_TAG_VALUE, tag_for_emr_managed_policy

TAG = f"{EMR_MANAGED_POLICY_TAG_KEY}={EMR_MANAGED_POLICY_TAG_VALUE}"
#: How long the clean-up function's log group is kept.
CLEANUP_LOG_RETENTION = logs.RetentionDays.ONE_YEAR


@dataclass(frozen=True)
class Placement:
    """The subnets and the three EMR-managed groups (primary, core, service access) of a cluster."""

    subnets: list[ec2.ISubnet]
    primary: ec2.ISecurityGroup
    core: ec2.ISecurityGroup
    service_access: ec2.ISecurityGroup
    cleanup: SecurityGroupRuleCleanup | None


def _owned(construct: IConstruct, l1: type) -> bool:
    """``construct`` belongs to this app: its CloudFormation resource is in the construct tree (not imported)."""
    return isinstance(construct.node.default_child, l1)


def launch_subnets(owner: Construct, vpc: ec2.IVpc, vpc_subnets: ec2.SubnetSelection | None) -> list[ec2.ISubnet]:
    """``vpc_subnets`` of ``vpc``, by default its private (else isolated) subnets."""
    if vpc_subnets is not None:
        subnets = list(
            vpc.select_subnets(
                availability_zones=vpc_subnets.availability_zones,
                one_per_az=vpc_subnets.one_per_az,
                subnet_filters=vpc_subnets.subnet_filters,
                subnet_group_name=vpc_subnets.subnet_group_name,
                subnet_type=vpc_subnets.subnet_type,
                subnets=vpc_subnets.subnets,
            ).subnets
        )
    else:
        subnets = list(vpc.private_subnets or vpc.isolated_subnets)
    if not subnets:
        raise ValueError(
            f"{type(owner).__name__} {owner.node.id!r}: no subnets to launch in. Fix: select the private subnets of "
            "the VPC (vpc_subnets), or pass a VPC that has private or isolated subnets"
        )
    return subnets


def tag_or_warn(owner: Construct, subnets: Sequence[ec2.ISubnet], groups: Sequence[ec2.ISecurityGroup]) -> None:
    """Tag the subnets and groups this app owns for ``AmazonEMRServicePolicy_v2`` (which launches only into
    tagged subnets with tagged groups); warn, naming the tag, about imported ones that cannot be tagged here."""
    owned_subnets = [(subnet, _owned(subnet, ec2.CfnSubnet)) for subnet in subnets]
    owned_groups = [(group, _owned(group, ec2.CfnSecurityGroup)) for group in groups]
    untagged_subnets = [subnet.subnet_id for subnet, owned in owned_subnets if not owned]
    untagged_groups = [group.security_group_id for group, owned in owned_groups if not owned]
    for construct, owned in (*owned_subnets, *owned_groups):
        if owned:
            tag_for_emr_managed_policy(construct)
    if untagged_subnets:
        Annotations.of(owner).add_warning_v2(
            "emr-constructs:cluster-untagged-subnets",
            f"Imported subnets {untagged_subnets} cannot be tagged here. Tag them {TAG}: AmazonEMRServicePolicy_v2 "
            "launches cluster instances only into tagged subnets.",
        )
    if untagged_groups:
        Annotations.of(owner).add_warning_v2(
            "emr-constructs:cluster-untagged-security-groups",
            f"Imported security groups {untagged_groups} cannot be tagged here. Tag them {TAG}: "
            "AmazonEMRServicePolicy_v2 manages only tagged EMR-managed security groups.",
        )


def place_cluster(
    owner: Construct,
    vpc: ec2.IVpc,
    vpc_subnets: ec2.SubnetSelection | None,
    groups: tuple[ec2.ISecurityGroup | None, ec2.ISecurityGroup | None, ec2.ISecurityGroup | None],
    *,
    log_key: kms.IKey | None,
) -> Placement:
    """The subnets and the three groups given (all or none), or three new groups under ``owner/SecurityGroups``
    with a ``SecurityGroupRuleCleanup`` (EMR adds rules by which the groups reference each other; without the
    clean-up, stack deletion fails on them). Its log group is encrypted with ``log_key`` when this app owns that key
    (CloudWatch Logs is admitted to it), else with a new rotated key, and is retained."""
    subnets = launch_subnets(owner, vpc, vpc_subnets)
    primary, core, service_access = groups
    cleanup = None
    if primary is None and core is None and service_access is None:
        created = create_emr_security_groups(Construct(owner, "SecurityGroups"), vpc)
        primary, core, service_access = created.primary, created.core, created.service_access
        key: kms.IKey
        if isinstance(log_key, kms.Key) and cdk.Stack.of(log_key) is cdk.Stack.of(owner):
            key = log_key
        else:
            key = kms.Key(
                owner,
                "CleanupLogKey",
                description="Encrypts the log group of the EMR security group rule clean-up",
                enable_key_rotation=True,
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
        admit_cloudwatch_logs(key)
        cleanup = SecurityGroupRuleCleanup(
            owner,
            "SecurityGroupCleanup",
            security_groups=created.all(),
            log_key=key,
            log_retention=CLEANUP_LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
    elif primary is None or core is None or service_access is None:
        raise ValueError(
            f"{type(owner).__name__} {owner.node.id!r}: pass all three EMR-managed security groups (primary, core, "
            "service access) or none. Fix: use EmrNetwork's groups, or omit all three to create them here"
        )
    tag_or_warn(owner, subnets, [primary, core, service_access])
    return Placement(subnets, primary, core, service_access, cleanup)
