"""Wiring that every construct launching an EMR cluster shares: its security groups, runtime roles and the
IAM policies its security configuration needs (``EmrCluster`` for CloudFormation, ``TransientJobFlow`` for Step
Functions)."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.iam import EmrRoles
from emr_constructs.network import create_emr_security_groups
from emr_constructs.security import EmrSecurityConfiguration
from emr_constructs.spec import ClusterSpec


def cluster_roles(
    owner: Construct,
    spec: ClusterSpec,
    *,
    roles: EmrRoles | None,
    log_bucket: s3.IBucket,
    log_key: kms.IKey | None,
    log_prefix: str,
) -> EmrRoles:
    """The roles given, or new ``EmrRoles`` under ``owner/Roles`` with least privilege on the cluster's logs; an
    auto-scaling role exists when the spec's instance groups scale with custom rules."""
    roles = roles or EmrRoles(
        owner,
        "Roles",
        log_bucket=log_bucket,
        log_key=log_key,
        log_prefix=log_prefix,
        create_auto_scaling_role=spec.uses_custom_auto_scaling,
    )
    if spec.uses_custom_auto_scaling and roles.auto_scaling_role is None:
        raise ValueError(
            f"{type(owner).__name__} {owner.node.id!r}: the spec's instance groups use custom automatic scaling but "
            "the roles given have no auto-scaling role. Fix: create EmrRoles with create_auto_scaling_role=True"
        )
    return roles


def emr_security_groups(
    owner: Construct,
    vpc: ec2.IVpc,
    primary: ec2.ISecurityGroup | None,
    core: ec2.ISecurityGroup | None,
    service_access: ec2.ISecurityGroup | None,
) -> tuple[ec2.ISecurityGroup, ec2.ISecurityGroup, ec2.ISecurityGroup]:
    """The three EMR-managed groups given (all or none), or three new ones under ``owner/SecurityGroups``."""
    if primary is not None and core is not None and service_access is not None:
        return primary, core, service_access
    if any(group is not None for group in (primary, core, service_access)):
        raise ValueError(
            f"{type(owner).__name__}: pass all three EMR-managed security groups (primary, core, service access) "
            "or none. Fix: use EmrNetwork's groups, or omit all three to create them here"
        )
    created = create_emr_security_groups(Construct(owner, "SecurityGroups"), vpc)
    return created.primary, created.core, created.service_access


def grant_cluster_access(
    owner: Construct, spec: ClusterSpec, roles: EmrRoles, security_configuration: EmrSecurityConfiguration
) -> list[iam.ManagedPolicy]:
    """Create the spec's runtime roles and the managed policies (under ``owner``) for its keys and EMRFS role
    mappings. EMRFS assumes the mapped roles with the nodes' credentials (EMR Management Guide, "Configure IAM
    roles for EMRFS requests to Amazon S3"); those roles must trust the instance role."""
    runtime = spec.security.runtime_roles
    for role_spec in runtime.roles if runtime is not None else ():
        if role_spec.name not in roles.runtime_roles:
            roles.add_runtime_role(
                role_spec.name,
                description=role_spec.description,
                propagate_source_identity=runtime.propagate_source_identity if runtime else True,
            )
    policies = security_configuration.grant_key_use(
        owner,
        instance_role=roles.instance_role,
        service_role=roles.service_role,
        runtime_roles=list(roles.runtime_roles.values()),
    )
    mappings = spec.security.emrfs_role_mappings
    if mappings:
        policies.append(
            iam.ManagedPolicy(
                owner,
                "EmrFsRoleMappingAccess",
                description="EMRFS on the nodes assumes the roles that the security configuration maps.",
                statements=[
                    iam.PolicyStatement(actions=["sts:AssumeRole"], resources=sorted({m.role_arn for m in mappings}))
                ],
                roles=[roles.instance_role],
            )
        )
    return policies
