"""``EmrStudio``: a ``StudioSpec`` on ``AWS::EMR::Studio`` with its Workspace bucket and key, the engine and
Workspace security groups, the service role and (Identity Center) user role, session mappings, and the attachment
of EMR clusters and EMR Serverless applications.

Create-only (a change replaces the Studio and its Workspaces' links): ``AuthMode``, the two security groups,
``ServiceRole``, ``UserRole``, ``VpcId``, ``EncryptionKeyArn``, ``IdcInstanceArn``, ``IdcUserAssignment`` and
``TrustedIdentityPropagationEnabled`` (AWS::EMR::Studio, "Update requires: Replacement").
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.cluster.interface import IEmrCluster
from emr_constructs.cluster.placement import launch_subnets, tag_or_warn
from emr_constructs.logging import EmrLogBucket
from emr_constructs.serverless.base import SERVICE as SERVERLESS_SERVICE
from emr_constructs.serverless.base import IEmrServerlessApplication
from emr_constructs.spec.studio import MAX_SUBNETS, StudioSpec, serverless_attach_problems
from emr_constructs.storage import EmrDataBucket
from emr_constructs.studio import policies
from emr_constructs.studio.acknowledgments import acknowledge_service_role, acknowledge_user_policy
from emr_constructs.studio.policies import TAG_KEY
from emr_constructs.tagging import tag_for_emr_managed_policy

#: emr-studio-security-groups: the engine group admits the Workspaces on this port, and a cluster's primary node
#: admits the engine group on it.
ENGINE_PORT = 18888
EMR_SERVICE = "elasticmapreduce.amazonaws.com"


class EmrStudio(Construct):
    """An EMR Studio from a ``StudioSpec`` in ``vpc_subnets`` of ``vpc`` (at most 5).

    Workspaces and notebooks are kept in ``workspace_bucket`` (default: a new ``EmrDataBucket`` under a new rotated
    key, TLS-only, versioned, RETAIN), which is the Studio's ``DefaultS3Location``; the key is its
    ``EncryptionKeyArn``. The engine group admits the Workspace group on 18888; the Workspace group sends only to
    the engine group on 18888 (and HTTPS anywhere with ``spec.allow_git``) and admits nothing. The service role has
    the documented statements; an Identity Center Studio also gets a user role, and ``user_policy`` (a
    customer-managed policy) is what its users may do: the session policy of every mapping without its own.
    ``allow_cluster`` and ``allow_serverless`` attach what the Workspaces may use.

    :param workspace_bucket: the bucket of the Workspaces.
        Default: a new ``EmrDataBucket`` encrypted with ``workspace_key``.
    :param workspace_key: encrypts the Workspace bucket and the Studio's notebooks.
        Default: a new rotated key (RETAIN).
    :param access_log_bucket: receives the new Workspace bucket's S3 access logs.
        Default: a new ``EmrLogBucket``'s access-log bucket.
    :param security_groups: the engine and the Workspace security group, both or neither.
        Default: two new groups with exactly the documented rules.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: StudioSpec,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection | None = None,
        workspace_bucket: s3.IBucket | None = None,
        workspace_key: kms.IKey | None = None,
        access_log_bucket: s3.IBucket | None = None,
        security_groups: tuple[ec2.ISecurityGroup, ec2.ISecurityGroup] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.spec = spec
        stack = cdk.Stack.of(self)
        subnets = launch_subnets(self, vpc, vpc_subnets)
        if len(subnets) > MAX_SUBNETS:
            raise ValueError(
                f"EmrStudio {id!r}: {len(subnets)} subnets; a Studio takes at most {MAX_SUBNETS} (EMR Studio "
                "considerations). Fix: select at most five with vpc_subnets"
            )
        groups = security_groups or self._security_groups(vpc)
        self.engine_security_group: ec2.ISecurityGroup = groups[0]
        self.workspace_security_group: ec2.ISecurityGroup = groups[1]
        tag_or_warn(self, subnets, [self.engine_security_group, self.workspace_security_group])
        # The service role creates interfaces and groups only in a VPC tagged for EMR's managed policies.
        if isinstance(vpc.node.default_child, ec2.CfnVPC):
            tag_for_emr_managed_policy(vpc)
        else:
            cdk.Annotations.of(self).add_warning_v2(
                "emr-constructs:studio-untagged-vpc",
                f"The imported VPC {vpc.vpc_id} cannot be tagged here. Tag it {TAG_KEY}=true: the Studio's service "
                "role acts only in tagged VPCs, subnets and security groups (emr-studio-service-role).",
            )
        self.workspace_key: kms.IKey = workspace_key or kms.Key(
            self,
            "WorkspaceKey",
            description=f"Encrypts the Workspaces and notebooks of EMR Studio {spec.name}",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        if workspace_bucket is None:
            logs = access_log_bucket or EmrLogBucket(self, "Logs").access_log_bucket
            workspace_bucket = EmrDataBucket(
                self, "Workspaces", encryption_key=self.workspace_key, access_log_bucket=logs
            ).bucket
        self.workspace_bucket = workspace_bucket
        self.service_role = iam.Role(
            self,
            "ServiceRole",
            description=f"The service role of EMR Studio {spec.name}",
            assumed_by=iam.ServicePrincipal(EMR_SERVICE).with_conditions(
                {
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:elasticmapreduce:{stack.region}:{stack.account}:*"
                    },
                }
            ),
        )
        self.service_policy = iam.ManagedPolicy(
            self,
            "ServicePolicy",
            description=f"EMR Studio {spec.name}: the service role's documented permissions and its Workspace storage",
            statements=[
                *policies.service_role_statements(stack),
                *policies.workspace_storage_statements(workspace_bucket.bucket_arn, self.workspace_key.key_arn),
            ],
            roles=[self.service_role],
        )
        if cdk.Stack.of(self.workspace_key).node.path == stack.node.path:
            self._admit_service_role(stack)
        # A key of another stack (or imported) is not changed here: its policy delegates to IAM, and the service
        # role's own policy names the key. A key policy without that delegation must admit the role itself.
        self.user_role: iam.Role | None = None
        if spec.auth_mode == "SSO":
            self.user_role = iam.Role(
                self,
                "UserRole",
                description=f"The sessions of EMR Studio {spec.name}'s Identity Center users",
                assumed_by=iam.ServicePrincipal(EMR_SERVICE).with_conditions(
                    {"StringEquals": {"aws:SourceAccount": stack.account}}
                ),
            )
            assert self.user_role.assume_role_policy is not None
            self.user_role.assume_role_policy.add_statements(
                iam.PolicyStatement(
                    actions=["sts:SetContext"],
                    principals=[iam.ServicePrincipal(EMR_SERVICE)],
                    conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
                )
            )
        self.cfn_studio = emr.CfnStudio(
            self,
            "Resource",
            name=spec.name,
            description=spec.description,
            auth_mode=spec.auth_mode,
            vpc_id=vpc.vpc_id,
            subnet_ids=[subnet.subnet_id for subnet in subnets],
            engine_security_group_id=self.engine_security_group.security_group_id,
            workspace_security_group_id=self.workspace_security_group.security_group_id,
            service_role=self.service_role.role_arn,
            user_role=self.user_role.role_arn if self.user_role else None,
            default_s3_location=f"s3://{workspace_bucket.bucket_name}/workspaces/",
            encryption_key_arn=self.workspace_key.key_arn,
            idp_auth_url=spec.idp_auth_url,
            idp_relay_state_parameter_name=spec.idp_relay_state_parameter_name,
            idc_instance_arn=spec.idc_instance_arn,
            idc_user_assignment=spec.idc_user_assignment if spec.auth_mode == "SSO" else None,
            trusted_identity_propagation_enabled=spec.trusted_identity_propagation or None,
        )
        self.cfn_studio.node.add_dependency(self.service_policy)
        self.studio_id = self.cfn_studio.attr_studio_id
        self.studio_arn = self.cfn_studio.attr_arn
        self.studio_url = self.cfn_studio.attr_url
        self.user_policy = iam.ManagedPolicy(
            self,
            "UserPolicy",
            description=f"What the users of EMR Studio {spec.name} may do: Workspaces on the attached resources",
            statements=policies.user_statements(
                stack, self.service_role.role_arn, self.studio_arn if spec.auth_mode == "IAM" else None
            ),
            roles=[self.user_role] if self.user_role else None,
        )
        for index, mapping in enumerate(spec.session_mappings):
            emr.CfnStudioSessionMapping(
                self,
                f"SessionMapping{index}",
                studio_id=self.studio_id,
                identity_name=mapping.identity_name,
                identity_type=mapping.identity_type,
                session_policy_arn=mapping.session_policy_arn or self.user_policy.managed_policy_arn,
            )
        acknowledge_service_role(self.service_policy, stack, workspace_bucket.bucket_arn)
        acknowledge_user_policy(self.user_policy, stack)

    def _security_groups(self, vpc: ec2.IVpc) -> tuple[ec2.SecurityGroup, ec2.SecurityGroup]:
        """emr-studio-security-groups: exactly the documented rules, and nothing open inbound on the Workspaces."""
        engine = ec2.SecurityGroup(
            self,
            "EngineSecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description=f"EMR Studio {self.spec.name}: engine, reached by its Workspaces on {ENGINE_PORT}",
        )
        workspace = ec2.SecurityGroup(
            self,
            "WorkspaceSecurityGroup",
            vpc=vpc,
            allow_all_outbound=False,
            description=f"EMR Studio {self.spec.name}: Workspaces, to the engine on {ENGINE_PORT}; no inbound",
        )
        engine.add_ingress_rule(workspace, ec2.Port.tcp(ENGINE_PORT), "Workspaces of this Studio")
        workspace.add_egress_rule(engine, ec2.Port.tcp(ENGINE_PORT), "The engine of this Studio")
        if self.spec.allow_git:
            workspace.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "Public Git repositories (HTTPS)")
        return engine, workspace

    def _admit_service_role(self, stack: cdk.Stack) -> None:
        """The Workspace key's policy admits the service role through S3 in this account and region
        (emr-studio-workspace-storage-encryption). The page also names the bucket in the encryption context; the
        bucket names the key, so naming it here would be a dependency cycle: the service role's own policy names
        the bucket instead."""
        self.workspace_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowEMRStudioServiceRoleAccess",
                principals=[self.service_role],
                actions=list(policies.WORKSPACE_KEY_ACTIONS),
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "kms:CallerAccount": stack.account,
                        "kms:ViaService": f"s3.{stack.region}.amazonaws.com",
                    }
                },
            )
        )

    # --- what the Workspaces may attach ------------------------------------------------------------------------

    def allow_cluster(self, cluster: IEmrCluster, *, primary_security_group: ec2.ISecurityGroup | None = None) -> None:
        """Let the Workspaces attach ``cluster``: its primary node's group (default: an ``EmrCluster``'s
        ``primary_security_group``) admits the engine group on 18888, and the users may describe the cluster
        (emr-studio-user-permissions, "attach an EMR on EC2 cluster")."""
        primary = primary_security_group or getattr(cluster, "primary_security_group", None)
        if primary is None:
            raise ValueError(
                f"EmrStudio.allow_cluster: cluster {cluster.node.path} has no known primary security group. Fix: "
                "pass primary_security_group= (the group of its primary node)"
            )
        # The rule lives with the Studio (not with the group, which may be in a stack the Studio's depends on).
        ec2.CfnSecurityGroupIngress(
            self,
            f"EngineTo{cdk.Names.unique_id(cluster)}",
            group_id=primary.security_group_id,
            ip_protocol="tcp",
            from_port=ENGINE_PORT,
            to_port=ENGINE_PORT,
            source_security_group_id=self.engine_security_group.security_group_id,
            description=f"EMR Studio {self.spec.name}: its engine reaches the primary node",
        )
        self.user_policy.add_statements(
            iam.PolicyStatement(actions=list(policies.CLUSTER_ACTIONS), resources=[cluster.cluster_arn]),
            iam.PolicyStatement(actions=["elasticmapreduce:ListClusters"], resources=["*"]),
        )

    def allow_serverless(self, application: IEmrServerlessApplication) -> None:
        """Let the Workspaces use ``application`` (interactive Studio use on, a Spark application): the users may
        start it, reach its interactive endpoints and its Spark UI, and pass its execution role to it only."""
        problems = serverless_attach_problems(getattr(application, "spec", None), self.spec)
        if problems:
            raise ValueError(
                f"EmrStudio.allow_serverless: application {application.application_name}: "
                + "; ".join(f"{path}: {message}. Fix: {fix}" for path, message, fix in problems)
            )
        statements = [
            iam.PolicyStatement(actions=list(policies.SERVERLESS_ACTIONS), resources=[application.application_arn]),
            iam.PolicyStatement(actions=["emr-serverless:ListApplications"], resources=["*"]),
        ]
        if application.execution_role is not None:
            statements.append(
                iam.PolicyStatement(
                    actions=["iam:PassRole"],
                    resources=[application.execution_role.role_arn],
                    conditions={"StringLike": {"iam:PassedToService": SERVERLESS_SERVICE}},
                )
            )
        self.user_policy.add_statements(*statements)

    def grant_use(self, grantee: iam.IGrantable) -> None:
        """Attach ``user_policy`` to ``grantee``'s role (an IAM-mode Studio's users): Workspaces, sign-in, and
        what ``allow_cluster`` and ``allow_serverless`` added."""
        role = grantee.grant_principal
        if not isinstance(role, iam.Role | iam.User | iam.Group):
            raise ValueError(
                f"EmrStudio.grant_use: {type(role).__name__} takes no managed policy here. Fix: pass an iam.Role, "
                "iam.User or iam.Group of this app"
            )
        if isinstance(role, iam.Role):
            self.user_policy.attach_to_role(role)
        elif isinstance(role, iam.User):
            self.user_policy.attach_to_user(role)
        else:
            self.user_policy.attach_to_group(role)
