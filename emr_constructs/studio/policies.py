"""The IAM statements of an EMR Studio, as the EMR Management Guide documents them.

- The service role: "Create an EMR Studio service role" (emr-studio-service-role): its 13 statements, most limited
  to resources tagged ``for-use-with-amazon-emr-managed-policies=true``, plus the Workspace bucket and its key
  ("Encrypt EMR Studio workspace notebooks and files", emr-studio-workspace-storage-encryption).
- The users: "Configure EMR Studio user permissions" (emr-studio-user-permissions): the two statements every user
  policy must hold (tagging ``emr-studio-*`` secrets, passing the service role), the Workspace actions, and per
  attached cluster or Serverless application the rows of its permissions table.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

TAG_KEY = "for-use-with-amazon-emr-managed-policies"
_TAGGED = {"StringEquals": {f"aws:ResourceTag/{TAG_KEY}": "true"}}
_REQUESTED = {"StringEquals": {f"aws:RequestTag/{TAG_KEY}": "true"}}
#: The Workspace bucket's key: what the service role does with it (emr-studio-workspace-storage-encryption).
WORKSPACE_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:DescribeKey",
)
WORKSPACE_BUCKET_OBJECT_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:DeleteObject")
WORKSPACE_BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetEncryptionConfiguration")
#: Creating, opening and attaching Workspaces (the intermediate example's ``AllowEMRBasicActions``, less the
#: repository, cluster and persistent-UI actions that the rows per attached resource add).
WORKSPACE_ACTIONS = (
    "elasticmapreduce:CreateEditor",
    "elasticmapreduce:DescribeEditor",
    "elasticmapreduce:StartEditor",
    "elasticmapreduce:StopEditor",
    "elasticmapreduce:DeleteEditor",
    "elasticmapreduce:OpenEditorInConsole",
    "elasticmapreduce:AttachEditor",
    "elasticmapreduce:DetachEditor",
)
CLUSTER_ACTIONS = (
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:ListInstanceGroups",
    "elasticmapreduce:ListBootstrapActions",
)
SERVERLESS_ACTIONS = (
    "emr-serverless:GetApplication",
    "emr-serverless:StartApplication",
    "emr-serverless:GetDashboardForJobRun",
    "emr-serverless:AccessInteractiveEndpoints",
)


def _arn(stack: cdk.Stack, service: str, resource: str, region: str | None = None) -> str:
    return f"arn:{stack.partition}:{service}:{stack.region if region is None else region}:{stack.account}:{resource}"


def emr_arn(stack: cdk.Stack, resource: str) -> str:
    """``arn:<partition>:elasticmapreduce:<region>:<account>:<resource>``."""
    return _arn(stack, "elasticmapreduce", resource)


def service_role_statements(stack: cdk.Stack) -> list[iam.PolicyStatement]:
    """The documented permissions of the Studio's service role (emr-studio-service-role), this account only."""
    ec2 = "ec2"
    return [
        iam.PolicyStatement(
            sid="AllowEMRReadOnlyActions",
            actions=[
                "elasticmapreduce:ListInstances",
                "elasticmapreduce:DescribeCluster",
                "elasticmapreduce:ListSteps",
            ],
            resources=[_arn(stack, "elasticmapreduce", "cluster/*")],  # the page's "*", in this account
        ),
        iam.PolicyStatement(
            sid="AllowEC2ENIActionsWithEMRTags",
            actions=["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"],
            resources=[_arn(stack, ec2, "network-interface/*")],
            conditions=_TAGGED,
        ),
        iam.PolicyStatement(
            sid="AllowEC2ENIAttributeAction",
            actions=["ec2:ModifyNetworkInterfaceAttribute"],
            resources=[_arn(stack, ec2, f"{kind}/*") for kind in ("instance", "network-interface", "security-group")],
        ),
        iam.PolicyStatement(
            sid="AllowEC2SecurityGroupActionsWithEMRTags",
            actions=[
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            resources=["*"],
            conditions=_TAGGED,
        ),
        iam.PolicyStatement(
            sid="AllowDefaultEC2SecurityGroupsCreationWithEMRTags",
            actions=["ec2:CreateSecurityGroup"],
            resources=[_arn(stack, ec2, "security-group/*")],
            conditions=_REQUESTED,
        ),
        iam.PolicyStatement(
            sid="AllowDefaultEC2SecurityGroupsCreationInVPCWithEMRTags",
            actions=["ec2:CreateSecurityGroup"],
            resources=[_arn(stack, ec2, "vpc/*")],
            conditions=_TAGGED,
        ),
        iam.PolicyStatement(
            sid="AllowAddingEMRTagsDuringDefaultSecurityGroupCreation",
            actions=["ec2:CreateTags"],
            resources=[_arn(stack, ec2, "security-group/*")],
            conditions={
                "StringEquals": {f"aws:RequestTag/{TAG_KEY}": "true", "ec2:CreateAction": "CreateSecurityGroup"}
            },
        ),
        iam.PolicyStatement(
            sid="AllowEC2ENICreationWithEMRTags",
            actions=["ec2:CreateNetworkInterface"],
            resources=[_arn(stack, ec2, "network-interface/*")],
            conditions=_REQUESTED,
        ),
        iam.PolicyStatement(
            sid="AllowEC2ENICreationInSubnetAndSecurityGroupWithEMRTags",
            actions=["ec2:CreateNetworkInterface"],
            resources=[_arn(stack, ec2, "subnet/*"), _arn(stack, ec2, "security-group/*")],
            conditions=_TAGGED,
        ),
        iam.PolicyStatement(
            sid="AllowAddingTagsDuringEC2ENICreation",
            actions=["ec2:CreateTags"],
            resources=[_arn(stack, ec2, "network-interface/*")],
            conditions={"StringEquals": {"ec2:CreateAction": "CreateNetworkInterface"}},
        ),
        iam.PolicyStatement(
            sid="AllowEC2ReadOnlyActions",
            actions=[
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeInstances",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="AllowSecretsManagerReadOnlyActionsWithEMRTags",
            actions=["secretsmanager:GetSecretValue"],
            resources=[_arn(stack, "secretsmanager", "secret:*")],
            conditions=_TAGGED,
        ),
        iam.PolicyStatement(
            sid="AllowWorkspaceCollaboration",
            actions=[
                "iam:GetUser",
                "iam:GetRole",
                "iam:ListUsers",
                "iam:ListRoles",
                "sso:GetManagedApplicationInstance",
                "sso-directory:SearchUsers",
            ],
            resources=["*"],
        ),
    ]


def workspace_storage_statements(bucket_arn: str, key_arn: str) -> list[iam.PolicyStatement]:
    """The service role's access to the Workspace bucket and its key."""
    return [
        iam.PolicyStatement(
            sid="WorkspaceObjects", actions=list(WORKSPACE_BUCKET_OBJECT_ACTIONS), resources=[f"{bucket_arn}/*"]
        ),
        iam.PolicyStatement(sid="WorkspaceBucket", actions=list(WORKSPACE_BUCKET_ACTIONS), resources=[bucket_arn]),
        iam.PolicyStatement(
            sid="AllowEMRStudioWorkspaceStorageEncryptionAccess",
            actions=list(WORKSPACE_KEY_ACTIONS),
            resources=[key_arn],
        ),
    ]


def user_statements(stack: cdk.Stack, service_role_arn: str, studio_arn: str | None) -> list[iam.PolicyStatement]:
    """What every Studio user needs: Workspaces, ``emr-studio-*`` secrets (tagging), passing the service role, and
    with ``studio_arn`` (an IAM-mode Studio) the presigned sign-in URL of that Studio."""
    statements = [
        iam.PolicyStatement(
            sid="AllowWorkspaces",
            actions=list(WORKSPACE_ACTIONS),
            resources=[_arn(stack, "elasticmapreduce", "editor/*")],
        ),
        iam.PolicyStatement(sid="AllowListingWorkspaces", actions=["elasticmapreduce:ListEditors"], resources=["*"]),
        iam.PolicyStatement(
            sid="AllowAddingTagsOnSecretsWithEMRStudioPrefix",
            actions=["secretsmanager:TagResource"],
            resources=[_arn(stack, "secretsmanager", "secret:emr-studio-*")],
        ),
        iam.PolicyStatement(
            sid="AllowPassingServiceRoleForWorkspaceCreation",
            actions=["iam:PassRole"],
            resources=[service_role_arn],
        ),
    ]
    if studio_arn is not None:
        statements.append(
            iam.PolicyStatement(
                sid="AllowStudioSignIn", actions=["elasticmapreduce:CreateStudioPresignedUrl"], resources=[studio_arn]
            )
        )
    return statements
