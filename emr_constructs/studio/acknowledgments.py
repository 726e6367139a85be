"""The policy packs' findings on an EMR Studio's policies, each acknowledged on its policy with its reason."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from emr_constructs.iam import acknowledge_resource_finding

_IAM5 = "AwsSolutions::AwsSolutions-IAM5"


def _arn(stack: cdk.Stack, service: str, resource: str) -> str:
    return f"arn:{stack.partition}:{service}:{stack.region}:{stack.account}:{resource}"


def acknowledge_service_role(policy: iam.ManagedPolicy, stack: cdk.Stack, bucket_arn: str) -> None:
    """The service role's statements are the EMR Management Guide's (emr-studio-service-role), word for word but
    for the account: the wildcards are the page's, and most carry its tag condition."""
    target = policy.node.default_child
    assert target is not None  # an iam.ManagedPolicy always has its L1
    cdk.Validations.of(target).acknowledge(
        cdk.Acknowledgment(
            id=f"{_IAM5}[Resource::*]",
            reason="As documented for the EMR Studio service role: EC2 Describe* and the IAM/Identity Center "
            "collaboration look-ups take no resource; the security-group rule actions are limited by the "
            "for-use-with-amazon-emr-managed-policies tag condition.",
        )
    )
    tagged = "Limited to resources tagged for-use-with-amazon-emr-managed-policies=true (or created with the tag)"
    reasons = {
        "network-interface/*": f"Workspaces' network interfaces, created at run time: {tagged}.",
        "instance/*": "ModifyNetworkInterfaceAttribute on the Workspaces' interfaces: the page says to keep it as "
        "written.",
        "security-group/*": f"The Studio's groups, and those EMR creates for it: {tagged}.",
        "vpc/*": f"Security groups EMR creates in the Studio's VPC: {tagged}.",
        "subnet/*": f"Interfaces in the Studio's subnets: {tagged}.",
        "secret:*": f"Git credentials of Workspaces: {tagged}.",
    }
    for resource, reason in reasons.items():
        service = "secretsmanager" if resource.startswith("secret") else "ec2"
        acknowledge_resource_finding(target, _IAM5, _arn(stack, service, resource), reason)
    acknowledge_resource_finding(
        target,
        _IAM5,
        f"{bucket_arn}/*",
        "Workspaces and notebooks are objects EMR Studio names at run time, in this Studio's Workspace bucket only.",
    )
    acknowledge_resource_finding(
        target,
        _IAM5,
        _arn(stack, "elasticmapreduce", "cluster/*"),
        "ListInstances, DescribeCluster and ListSteps of the clusters Workspaces attach to, chosen at run time; "
        "read-only, this account's clusters only.",
    )


def acknowledge_user_policy(policy: iam.ManagedPolicy, stack: cdk.Stack) -> None:
    """The users' Workspaces, and the secrets EMR Studio names ``emr-studio-*``, exist only at run time."""
    target = policy.node.default_child
    assert target is not None
    cdk.Validations.of(target).acknowledge(
        cdk.Acknowledgment(
            id=f"{_IAM5}[Resource::*]",
            reason="Only listing actions without a resource type take '*' here: ListEditors, ListClusters and "
            "ListApplications (Service Authorization Reference).",
        )
    )
    acknowledge_resource_finding(
        target,
        _IAM5,
        _arn(stack, "elasticmapreduce", "editor/*"),
        "Workspaces are created by the users at run time; their ids cannot be named in advance.",
    )
    acknowledge_resource_finding(
        target,
        _IAM5,
        _arn(stack, "secretsmanager", "secret:emr-studio-*"),
        "EMR Studio names the Git secrets it tags emr-studio-*; the statement every user policy must hold "
        "(emr-studio-user-permissions).",
    )
