"""Roles made elsewhere (a central IAM team's, another stack's) as the roles a cluster runs with."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.iam import EmrRoles, acknowledge_resource_finding
from emr_constructs.iam.roles import APPLICATION_AUTO_SCALING_SERVICE, EC2_SERVICE, log_access_statements
from emr_constructs.iam.runtime_roles import allow_assume, runtime_role_actions, trust_sessions

_IAM5 = "AwsSolutions::AwsSolutions-IAM5"


class ExistingRoles(Construct):
    """Given service, instance and auto-scaling roles, with only what this cluster adds to them.

    Nothing about the roles themselves changes (trust, boundaries, their own policies). Two customer-managed
    policies are attached to them: the service role may pass the instance role to EC2 (and the auto-scaling role
    to Application Auto Scaling), which ``AmazonEMRServicePolicy_v2`` allows only for the default role names
    (EMR Management Guide, "Service role for Amazon EMR (EMR role)"); the instance role may write, read and list
    the cluster's logs under ``log_prefix`` and use ``log_key`` for them. Runtime roles are created here, trusting
    the given instance role, exactly as ``EmrRoles.add_runtime_role`` makes them.

    :param instance_profile_name: an existing instance profile that carries ``instance_role``.
        Default: a new ``AWS::IAM::InstanceProfile`` named after the role (EMR rejects a profile whose name
        differs from its role's).
    :param auto_scaling_role: for custom automatic scaling of instance groups.
        Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service_role: iam.IRole,
        instance_role: iam.IRole,
        instance_profile_name: str | None = None,
        auto_scaling_role: iam.IRole | None = None,
        log_bucket: s3.IBucket,
        log_key: kms.IKey | None,
        log_prefix: str,
    ) -> None:
        super().__init__(scope, id)
        self.service_role = service_role
        self.instance_role = instance_role
        self.auto_scaling_role = auto_scaling_role
        self.runtime_roles: dict[str, iam.Role] = {}
        self._runtime = RuntimeRoles(self, instance_role)
        if instance_profile_name is None:
            profile = iam.CfnInstanceProfile(
                self, "InstanceProfile", roles=[instance_role.role_name], instance_profile_name=instance_role.role_name
            )
            instance_profile_name = profile.ref
        self.instance_profile_name = instance_profile_name

        passing = [
            iam.PolicyStatement(
                sid="PassInstanceRoleToEc2",
                actions=["iam:PassRole"],
                resources=[instance_role.role_arn],
                conditions={"StringLike": {"iam:PassedToService": f"{EC2_SERVICE}*"}},
            )
        ]
        if auto_scaling_role is not None:
            passing.append(
                iam.PolicyStatement(
                    sid="PassAutoScalingRoleToApplicationAutoScaling",
                    actions=["iam:PassRole"],
                    resources=[auto_scaling_role.role_arn],
                    conditions={"StringLike": {"iam:PassedToService": f"{APPLICATION_AUTO_SCALING_SERVICE}*"}},
                )
            )
        self.service_role_access = iam.ManagedPolicy(
            self,
            "ServiceRoleAccess",
            description="Lets the EMR service role pass this cluster's instance (and auto-scaling) role.",
            statements=passing,
            roles=[service_role],
        )

        prefix = log_prefix.strip("/")
        objects = log_bucket.arn_for_objects(f"{prefix}/*")
        logs = log_access_statements(log_bucket, prefix)
        key = log_key or log_bucket.encryption_key
        if key is not None:
            logs.append(
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                    resources=[key.key_arn],
                )
            )
        self.instance_role_access = iam.ManagedPolicy(
            self,
            "InstanceRoleAccess",
            description="Lets the EMR nodes write and read the cluster's logs under its log prefix.",
            statements=logs,
            roles=[instance_role],
        )
        acknowledge_resource_finding(
            self.instance_role_access.node.default_child or self.instance_role_access,
            _IAM5,
            objects,
            reason=f"Cluster nodes write log files of their own choosing under the LogUri prefix '{prefix}/' and "
            "nowhere else in the bucket; the object names are not known in advance.",
        )

    def add_runtime_role(
        self, name: str, *, description: str | None = None, propagate_source_identity: bool = True
    ) -> iam.Role:
        """A runtime role for steps, assumable by the given instance role only (see ``EmrRoles.add_runtime_role``)."""
        role = self._runtime.add_runtime_role(
            name, description=description, propagate_source_identity=propagate_source_identity
        )
        self.runtime_roles[name] = role
        return role


class RuntimeRoles(Construct):
    """Runtime roles for steps that trust an instance role made elsewhere (trust and permission as documented in
    EMR Management Guide, "Runtime roles for Amazon EMR steps")."""

    def __init__(self, scope: Construct, instance_role: iam.IRole) -> None:
        super().__init__(scope, "RuntimeRoles")
        self._instance_role = instance_role
        self.roles: dict[str, iam.Role] = {}
        self._access: iam.ManagedPolicy | None = None

    def add_runtime_role(self, name: str, *, description: str | None, propagate_source_identity: bool) -> iam.Role:
        if name in self.roles:
            raise ValueError(f"EmrCluster: runtime role {name!r} exists already. Fix: give each role a unique name")
        actions = runtime_role_actions(propagate_source_identity)
        role = iam.Role(
            self,
            f"RuntimeRole-{name}",
            assumed_by=iam.ArnPrincipal(self._instance_role.role_arn),
            description=description or f"EMR runtime role {name}: steps run under it (ExecutionRoleArn).",
        )
        trust_sessions(role, self._instance_role, actions)
        self.roles[name] = role
        self._access = allow_assume(self, self._access, self._instance_role, role, actions)
        return role


#: The roles a cluster runs with: made by the library, or given.
ClusterRoles = EmrRoles | ExistingRoles


def job_flow_role_name(roles: ClusterRoles) -> str:
    """The name to pass as the cluster's ``JobFlowRole``."""
    if isinstance(roles, EmrRoles):
        return roles.instance_profile.ref
    return roles.instance_profile_name
