"""``EmrRoles``: the service role, EC2 instance role/profile and optional auto-scaling role of a cluster."""

from __future__ import annotations

import re

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from emr_constructs.iam._acknowledge import acknowledge_resource_finding

#: AWS's current, tag-scoped managed policy for the EMR service role (replaces AmazonElasticMapReduceRole).
SERVICE_ROLE_MANAGED_POLICY = "service-role/AmazonEMRServicePolicy_v2"
#: AWS's managed policy for the role that automatic scaling of instance groups uses.
AUTO_SCALING_ROLE_MANAGED_POLICY = "service-role/AmazonElasticMapReduceforAutoScalingRole"

EMR_SERVICE = "elasticmapreduce.amazonaws.com"
EC2_SERVICE = "ec2.amazonaws.com"
APPLICATION_AUTO_SCALING_SERVICE = "application-autoscaling.amazonaws.com"

#: Purpose suffixes of role names when ``role_name_prefix`` is given: ``<prefix>-<suffix>``.
SERVICE_ROLE_SUFFIX = "EmrServiceRole"
INSTANCE_ROLE_SUFFIX = "EmrInstanceRole"
AUTO_SCALING_ROLE_SUFFIX = "EmrAutoScalingRole"
RUNTIME_ROLE_SUFFIX = "EmrRuntime"

_AWS_SOLUTIONS = "AwsSolutions::AwsSolutions"

MAX_ROLE_NAME_LENGTH = 64
_ROLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9_+=,.@-]+")

#: What the SSM agent needs for Session Manager sessions, as in AWS's AWSCloud9SSMInstanceProfile policy.
#: None of these actions supports resource-level permissions.
SESSION_MANAGER_ACTIONS = (
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


def _validate(role_name_prefix: str | None, log_prefix: str, suffixes: list[str]) -> None:
    problems: list[str] = []
    if role_name_prefix is not None and not cdk.Token.is_unresolved(role_name_prefix):
        longest = max(suffixes, key=len)
        name = f"{role_name_prefix}-{longest}"
        if len(name) > MAX_ROLE_NAME_LENGTH:
            room = MAX_ROLE_NAME_LENGTH - len(longest) - 1
            problems.append(
                f"role_name_prefix={role_name_prefix!r} makes the role name {name!r} "
                f"{len(name)} characters long, over IAM's limit of {MAX_ROLE_NAME_LENGTH}: "
                f"use a prefix of at most {room} characters."
            )
        if not _ROLE_NAME_PATTERN.fullmatch(role_name_prefix):
            problems.append(
                f"role_name_prefix={role_name_prefix!r} has characters IAM role names do not allow: "
                "use only letters, digits and _+=,.@- (or None for generated names)."
            )
    if not cdk.Token.is_unresolved(log_prefix) and not log_prefix.strip("/"):
        problems.append(f"log_prefix={log_prefix!r} is empty: pass the key prefix of the cluster's LogUri, e.g. 'emr'.")
    if problems:
        raise ValueError("EmrRoles: " + " ".join(problems))


@jsii.implements(iam.IGrantable)
class EmrRoles(Construct):
    """The IAM roles an EMR-on-EC2 cluster runs with, least privilege, without deprecated v1 policies.

    - ``service_role`` (EMR's ``ServiceRole``) trusts ``elasticmapreduce.amazonaws.com`` only for this
      account and region (``aws:SourceAccount`` / ``aws:SourceArn``, EMR's confused-deputy guidance) and
      carries ``AmazonEMRServicePolicy_v2``. That policy acts only on resources tagged
      ``for-use-with-amazon-emr-managed-policies=true``: the cluster, its subnets and its security groups
      (see ``emr_constructs.tagging``). ``elasticmapreduce:AddTags`` is needed by whoever *creates* the
      tagged cluster (the CloudFormation deploy role, a state machine), not by this role. Its inline
      policy lets it pass exactly the instance role to EC2 (and the auto-scaling role to Application
      Auto Scaling), which the v2 policy allows only for the default role names.
    - ``instance_role`` (the EC2 instance profile's role, EMR's ``JobFlowRole``) replaces the deprecated
      ``AmazonElasticMapReduceforEC2Role``: it may write, read and list cluster logs under
      ``<log_bucket>/<log_prefix>/``, use ``log_key`` for them, and register with Session Manager
      (the way onto nodes; no SSH key is created). Grant data access with ``bucket.grant_read(roles)``
      and ``grant_kms(key)``. Nodes need no EMR API permissions for the cluster itself to run.
    - ``instance_profile`` carries the instance role under the same name, as EMR requires; pass
      ``instance_profile.ref`` (its name) as the cluster's ``JobFlowRole``.
    - ``auto_scaling_role`` exists only with ``create_auto_scaling_role``: custom automatic scaling
      of instance groups (managed scaling and instance fleets do not use it).

    Make the cluster depend on this construct (``cluster.node.add_dependency(roles)``) so that its
    policies exist before EMR validates the roles.

    :param log_bucket: bucket of the cluster's ``LogUri``. Default: no log permissions.
    :param log_key: KMS key of the log bucket; granted through the role's policy, never the key policy.
        Default: ``log_bucket.encryption_key`` when the bucket knows it, else no key permissions.
    :param log_prefix: key prefix of the ``LogUri`` within ``log_bucket``. Default: ``"emr"``.
    :param role_name_prefix: fixed role names ``<prefix>-EmrServiceRole``, ``<prefix>-EmrInstanceRole``,
        ``<prefix>-EmrAutoScalingRole``. Default: names generated by CloudFormation.
    :param permissions_boundary: applied to every role created here. Default: none.
    :param create_auto_scaling_role: create ``auto_scaling_role``. Default: ``False``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        log_bucket: s3.IBucket | None = None,
        log_key: kms.IKey | None = None,
        log_prefix: str = "emr",
        role_name_prefix: str | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        create_auto_scaling_role: bool = False,
    ) -> None:
        suffixes = [SERVICE_ROLE_SUFFIX, INSTANCE_ROLE_SUFFIX]
        if create_auto_scaling_role:
            suffixes.append(AUTO_SCALING_ROLE_SUFFIX)
        _validate(role_name_prefix, log_prefix, suffixes)
        super().__init__(scope, id)

        stack = cdk.Stack.of(self)
        self._role_name_prefix = role_name_prefix
        self._kms_acknowledged = False
        self._permissions_boundary = permissions_boundary
        self.runtime_roles: dict[str, iam.Role] = {}
        self._runtime_role_access: iam.ManagedPolicy | None = None

        self.instance_role: iam.Role = self._role(
            "InstanceRole",
            INSTANCE_ROLE_SUFFIX,
            assumed_by=iam.ServicePrincipal(EC2_SERVICE),
            description="EC2 instance profile role of EMR cluster nodes (JobFlowRole).",
        )
        self.instance_profile = iam.CfnInstanceProfile(
            self,
            "InstanceProfile",
            roles=[self.instance_role.role_name],
            # EMR rejects an instance profile whose name differs from its role's ("invalid instance profile").
            instance_profile_name=self.instance_role.role_name,
        )

        self.auto_scaling_role: iam.Role | None = None
        if create_auto_scaling_role:
            self.auto_scaling_role = self._role(
                "AutoScalingRole",
                AUTO_SCALING_ROLE_SUFFIX,
                assumed_by=iam.CompositePrincipal(
                    iam.ServicePrincipal(APPLICATION_AUTO_SCALING_SERVICE).with_conditions(
                        {
                            "StringEquals": {"aws:SourceAccount": stack.account},
                            "ArnLike": {
                                "aws:SourceArn": stack.format_arn(
                                    service="application-autoscaling",
                                    resource="scalable-target",
                                    resource_name="*",
                                )
                            },
                        }
                    ),
                    self._emr_principal(stack),
                ),
                description="Lets EMR automatic scaling resize instance groups.",
                managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(AUTO_SCALING_ROLE_MANAGED_POLICY)],
            )

        self.service_role: iam.Role = self._role(
            "ServiceRole",
            SERVICE_ROLE_SUFFIX,
            assumed_by=self._emr_principal(stack),
            description="EMR service role: provisions the cluster's EC2 resources.",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(SERVICE_ROLE_MANAGED_POLICY)],
            inline_policies={"PassClusterRoles": self._pass_role_document()},
        )

        self._grant_session_manager()
        if log_bucket is not None:
            self._grant_logs(log_bucket, log_prefix.strip("/"), log_key or log_bucket.encryption_key)
        elif log_key is not None:
            self.grant_kms(log_key)
        self._acknowledge()

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The instance role: what ``bucket.grant_read(roles)`` and similar grants give access to."""
        return self.instance_role.grant_principal

    def grant_kms(self, key: kms.IKey) -> None:
        """Let the instance role encrypt and decrypt with ``key``: an IAM-side grant in the role's
        policy. The key policy is never changed, so it must delegate to the account (CDK keys do)."""
        key.grant_encrypt_decrypt(self.instance_role)
        if not self._kms_acknowledged:
            self._kms_acknowledged = True
            reason = (
                "{action} is one of the KMS action families CDK's grant_encrypt_decrypt emits for "
                "SSE-KMS (data keys with and without plaintext, re-encryption between keys); the "
                "statement is limited to the granted key ARNs."
            )
            cdk.Validations.of(self._instance_policy()).acknowledge(
                *(
                    cdk.Acknowledgment(
                        id=f"{_AWS_SOLUTIONS}-IAM5[Action::{action}]", reason=reason.format(action=action)
                    )
                    for action in ("kms:GenerateDataKey*", "kms:ReEncrypt*")
                )
            )

    def add_runtime_role(
        self, name: str, *, description: str | None = None, propagate_source_identity: bool = True
    ) -> iam.Role:
        """A runtime role for steps (their ``ExecutionRoleArn``), assumable by the instance role only.

        Its trust policy and the instance role's permission follow EMR Management Guide "Runtime roles for
        Amazon EMR steps": ``sts:AssumeRole`` and ``sts:TagSession``, plus ``sts:SetSourceIdentity`` when the
        security configuration propagates the source identity. Data access is granted to the returned role
        (``bucket.grant_read(role)``); the role name prefix and permissions boundary apply as to every role.
        """
        if name in self.runtime_roles:
            raise ValueError(f"EmrRoles: runtime role {name!r} exists already. Fix: give each role a unique name")
        suffix = f"{RUNTIME_ROLE_SUFFIX}-{name}"
        _validate(self._role_name_prefix, "runtime", [suffix])
        actions = ["sts:AssumeRole", "sts:TagSession"]
        if propagate_source_identity:
            actions.append("sts:SetSourceIdentity")
        role = self._role(
            f"RuntimeRole-{name}",
            suffix,
            assumed_by=iam.ArnPrincipal(self.instance_role.role_arn),
            description=description or f"EMR runtime role {name}: steps run under it (ExecutionRoleArn).",
        )
        assume_policy = role.assume_role_policy
        assert assume_policy is not None  # an iam.Role always has one
        assume_policy.add_statements(
            iam.PolicyStatement(
                actions=[action for action in actions if action != "sts:AssumeRole"],
                principals=[iam.ArnPrincipal(self.instance_role.role_arn)],
            )
        )
        self.runtime_roles[name] = role
        if self._runtime_role_access is None:
            self._runtime_role_access = iam.ManagedPolicy(
                self,
                "RuntimeRoleAccess",
                description="Lets the EMR instance role assume the cluster's runtime roles for steps.",
                roles=[self.instance_role],
            )
        self._runtime_role_access.add_statements(iam.PolicyStatement(actions=actions, resources=[role.role_arn]))
        return role

    # --- helpers -----------------------------------------------------------------------------------

    @staticmethod
    def _emr_principal(stack: cdk.Stack) -> iam.IPrincipal:
        return iam.ServicePrincipal(EMR_SERVICE).with_conditions(
            {
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {
                    "aws:SourceArn": stack.format_arn(
                        service="elasticmapreduce", resource="*", arn_format=cdk.ArnFormat.NO_RESOURCE_NAME
                    )
                },
            }
        )

    def _role(
        self,
        id: str,
        suffix: str,
        *,
        assumed_by: iam.IPrincipal,
        description: str,
        managed_policies: list[iam.IManagedPolicy] | None = None,
        inline_policies: dict[str, iam.PolicyDocument] | None = None,
    ) -> iam.Role:
        role = iam.Role(
            self,
            id,
            role_name=f"{self._role_name_prefix}-{suffix}" if self._role_name_prefix is not None else None,
            assumed_by=assumed_by,
            description=description,
            managed_policies=managed_policies,
            inline_policies=inline_policies,
        )
        if self._permissions_boundary is not None:
            iam.PermissionsBoundary.of(role).apply(self._permissions_boundary)
        return role

    def _pass_role_document(self) -> iam.PolicyDocument:
        # StringLike with a trailing * as in AmazonEMRServicePolicy_v2: matches ec2.amazonaws.com.cn too.
        statements = [
            iam.PolicyStatement(
                sid="PassInstanceRoleToEc2",
                actions=["iam:PassRole"],
                resources=[self.instance_role.role_arn],
                conditions={"StringLike": {"iam:PassedToService": f"{EC2_SERVICE}*"}},
            )
        ]
        if self.auto_scaling_role is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="PassAutoScalingRoleToApplicationAutoScaling",
                    actions=["iam:PassRole"],
                    resources=[self.auto_scaling_role.role_arn],
                    conditions={"StringLike": {"iam:PassedToService": f"{APPLICATION_AUTO_SCALING_SERVICE}*"}},
                )
            )
        return iam.PolicyDocument(statements=statements)

    def _grant_session_manager(self) -> None:
        self.instance_role.add_to_policy(
            iam.PolicyStatement(sid="SessionManager", actions=list(SESSION_MANAGER_ACTIONS), resources=["*"])
        )
        cdk.Validations.of(self._instance_policy()).acknowledge(
            cdk.Acknowledgment(
                id=f"{_AWS_SOLUTIONS}-IAM5[Resource::*]",
                reason="Session Manager's agent actions (ssm:UpdateInstanceInformation and the four "
                "ssmmessages channel actions, nothing else) take Resource '*': the ssmmessages actions "
                "have no resource types, and the agent registers whichever instance it runs on.",
            )
        )

    def _grant_logs(self, bucket: s3.IBucket, prefix: str, key: kms.IKey | None) -> None:
        # EMR uploads node logs under LogUri (EMR Management Guide, "Archiving log files to Amazon
        # S3") and reads back and lists what it archived there; nothing outside the prefix.
        objects = bucket.arn_for_objects(f"{prefix}/*")
        iam.Grant.add_to_principal(
            grantee=self.instance_role, actions=["s3:PutObject", "s3:GetObject"], resource_arns=[objects]
        )
        iam.Grant.add_to_principal(
            grantee=self.instance_role,
            actions=["s3:ListBucket"],
            resource_arns=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [prefix, f"{prefix}/*"]}},
        )
        acknowledge_resource_finding(
            self._instance_policy(),
            f"{_AWS_SOLUTIONS}-IAM5",
            objects,
            reason=f"Cluster nodes write log files of their own choosing under the LogUri prefix "
            f"'{prefix}/' and nowhere else in the bucket; the object names are not known in advance.",
        )
        if key is not None:
            self.grant_kms(key)

    def _instance_policy(self) -> IConstruct:
        """The L1 policy behind the instance role's ``DefaultPolicy`` (exists after the first statement)."""
        default_policy = self.instance_role.node.find_child("DefaultPolicy")
        return _cfn(default_policy)

    def _acknowledge(self) -> None:
        managed = [(self.service_role, SERVICE_ROLE_MANAGED_POLICY)]
        if self.auto_scaling_role is not None:
            managed.append((self.auto_scaling_role, AUTO_SCALING_ROLE_MANAGED_POLICY))
        for role, policy in managed:
            cdk.Validations.of(_cfn(role)).acknowledge(
                cdk.Acknowledgment(
                    id=f"{_AWS_SOLUTIONS}-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy}]",
                    reason=f"{policy} is the AWS-maintained, current policy that the EMR Management Guide "
                    "documents for this role; AWS updates it as EMR needs change.",
                )
            )

        inline = (
            "Inline on purpose: these statements name this cluster's own resources (one role to pass, "
            "one log prefix, one key) and must never be attachable to another principal; the IAM User "
            "Guide recommends inline policies for such a strict one-to-one relationship. They are "
            "versioned and reviewed with the stack."
        )
        for target in (_cfn(self.service_role), self._instance_policy()):
            cdk.Validations.of(target).acknowledge(
                cdk.Acknowledgment(id="HIPAA.Security::HIPAA.Security-IAMNoInlinePolicy", reason=inline),
                cdk.Acknowledgment(id="NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy", reason=inline),
            )


def _cfn(construct: IConstruct) -> IConstruct:
    child = construct.node.default_child
    if child is None:  # pragma: no cover - every L2 used here has an L1 child
        raise RuntimeError(f"{construct.node.path} has no CloudFormation resource")
    return child
