"""The pieces of a runtime role for steps that every maker of one shares (EMR Management Guide, "Runtime roles for
Amazon EMR steps"): the actions, the session trust, and the instance role's permission to assume it."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct


def runtime_role_actions(propagate_source_identity: bool) -> list[str]:
    """``sts:AssumeRole`` and ``sts:TagSession``, plus ``sts:SetSourceIdentity`` when the security configuration
    propagates the source identity."""
    actions = ["sts:AssumeRole", "sts:TagSession"]
    if propagate_source_identity:
        actions.append("sts:SetSourceIdentity")
    return actions


def trust_sessions(role: iam.Role, instance_role: iam.IRole, actions: list[str]) -> None:
    """Let ``instance_role`` tag (and name) the sessions it opens on ``role`` (``role`` already trusts it)."""
    assume_policy = role.assume_role_policy
    assert assume_policy is not None  # an iam.Role always has one
    assume_policy.add_statements(
        iam.PolicyStatement(
            actions=[action for action in actions if action != "sts:AssumeRole"],
            principals=[iam.ArnPrincipal(instance_role.role_arn)],
        )
    )


def allow_assume(
    scope: Construct, access: iam.ManagedPolicy | None, instance_role: iam.IRole, role: iam.IRole, actions: list[str]
) -> iam.ManagedPolicy:
    """Add ``role`` to the instance role's ``RuntimeRoleAccess`` policy under ``scope`` (created with the first)."""
    if access is None:
        access = iam.ManagedPolicy(
            scope,
            "RuntimeRoleAccess",
            description="Lets the EMR instance role assume the cluster's runtime roles for steps.",
            roles=[instance_role],
        )
    access.add_statements(iam.PolicyStatement(actions=actions, resources=[role.role_arn]))
    return access
