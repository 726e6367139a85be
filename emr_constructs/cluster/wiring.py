"""Wiring that every construct launching an EMR cluster shares: its roles, runtime roles and the
IAM policies its security configuration needs (``EmrCluster`` for CloudFormation, ``TransientJobFlow`` for Step
Functions)."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.cluster.existing_roles import ClusterRoles, ExistingRoles
from emr_constructs.iam import EmrRoles
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
    service_role: iam.IRole | None = None,
    instance_role: iam.IRole | None = None,
    instance_profile_name: str | None = None,
    auto_scaling_role: iam.IRole | None = None,
) -> ClusterRoles:
    """The roles given (an ``EmrRoles``, or a service and an instance role made elsewhere), or new ``EmrRoles``
    under ``owner/Roles`` with least privilege on the cluster's logs; an auto-scaling role exists when the spec's
    instance groups scale with custom rules."""
    kind = f"{type(owner).__name__} {owner.node.id!r}"
    brought = {
        "service_role": service_role,
        "instance_role": instance_role,
        "instance_profile_name": instance_profile_name,
        "auto_scaling_role": auto_scaling_role,
    }
    given = [name for name, value in brought.items() if value is not None]
    if given and roles is not None:
        raise ValueError(f"{kind}: pass roles or {given}, not both. Fix: drop roles to use your own IAM roles")
    if given and (service_role is None or instance_role is None):
        raise ValueError(
            f"{kind}: {given} given without both service_role and instance_role. Fix: pass both roles (an existing "
            "instance profile goes with its instance role), or none to create them"
        )
    if service_role is not None and instance_role is not None:
        chosen: ClusterRoles = ExistingRoles(
            owner,
            "Roles",
            service_role=service_role,
            instance_role=instance_role,
            instance_profile_name=instance_profile_name,
            auto_scaling_role=auto_scaling_role,
            log_bucket=log_bucket,
            log_key=log_key,
            log_prefix=log_prefix,
        )
    else:
        chosen = roles or EmrRoles(
            owner,
            "Roles",
            log_bucket=log_bucket,
            log_key=log_key,
            log_prefix=log_prefix,
            create_auto_scaling_role=spec.uses_custom_auto_scaling,
        )
    if spec.uses_custom_auto_scaling and chosen.auto_scaling_role is None:
        raise ValueError(
            f"{kind}: the spec's instance groups use custom automatic scaling but the roles given have no "
            "auto-scaling role. Fix: pass auto_scaling_role, or create EmrRoles with create_auto_scaling_role=True"
        )
    return chosen


def grant_cluster_access(
    owner: Construct,
    spec: ClusterSpec,
    roles: ClusterRoles,
    security_configuration: EmrSecurityConfiguration | None,
) -> list[iam.ManagedPolicy]:
    """Create the spec's runtime roles and the managed policies (under ``owner``) for its keys and EMRFS role
    mappings. EMRFS assumes the mapped roles with the nodes' credentials (EMR Management Guide, "Configure IAM
    roles for EMRFS requests to Amazon S3"); those roles must trust the instance role. Without
    ``security_configuration`` (one made elsewhere) no key grants are derived."""
    runtime = spec.security.runtime_roles
    for role_spec in runtime.roles if runtime is not None else ():
        if role_spec.name not in roles.runtime_roles:
            roles.add_runtime_role(
                role_spec.name,
                description=role_spec.description,
                propagate_source_identity=runtime.propagate_source_identity if runtime else True,
            )
    policies = (
        security_configuration.grant_key_use(
            owner,
            instance_role=roles.instance_role,
            service_role=roles.service_role,
            runtime_roles=list(roles.runtime_roles.values()),
        )
        if security_configuration is not None
        else []
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
