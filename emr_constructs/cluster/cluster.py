"""``EmrCluster``: a ``ClusterSpec`` rendered onto ``AWS::EMR::Cluster`` with its roles, logs and network."""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Acknowledgment, Annotations, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.cluster.base import ClusterBase
from emr_constructs.cluster.cfn_props import cfn_cluster_kwargs
from emr_constructs.cluster.existing_roles import ClusterRoles, job_flow_role_name
from emr_constructs.cluster.imported import ImportedEmrCluster
from emr_constructs.cluster.placement import place_cluster
from emr_constructs.cluster.wiring import cluster_roles, grant_cluster_access
from emr_constructs.iam import EmrRoles
from emr_constructs.jobs import BootstrapAction, Step
from emr_constructs.jobs.steps import steps_from_specs
from emr_constructs.lint_suppressions import ignore_cfn_lint
from emr_constructs.logging import EmrLogBucket
from emr_constructs.monitoring.agent import wire_cloudwatch_agent
from emr_constructs.monitoring.logs import ClusterLogGroup
from emr_constructs.render import ClusterWiring, render_cluster_properties
from emr_constructs.security import EmrSecurityConfiguration, kerberos_attributes
from emr_constructs.spec import ClusterSpec, ConfigurationSpec


@jsii.implements(iam.IGrantable, ec2.IConnectable)
class EmrCluster(ClusterBase):
    """An EMR cluster from a ``ClusterSpec``.

    The cluster runs in ``vpc_subnets`` of ``vpc`` with the EMR-managed security groups given, or with three new
    ones (and a clean-up of EMR's cross-group rules, so that the stack deletes) when they are omitted. The subnets
    and groups this app owns are tagged ``for-use-with-amazon-emr-managed-policies=true``, which
    ``AmazonEMRServicePolicy_v2`` requires; imported ones are named in a warning. Roles come from ``roles``, from
    ``service_role`` and ``instance_role`` made elsewhere, or a new ``EmrRoles`` with least privilege on
    ``log_bucket``. Logs go to ``s3://<log_bucket>/<log_prefix>/`` encrypted with ``log_key``.

    The cluster is ``IGrantable`` through its instance role (``bucket.grant_read(cluster)``) and
    ``IConnectable`` through its primary and core security groups. ``cfn_cluster`` (construct id
    ``Resource``) is the escape hatch. Nearly every cluster property is create-only: changing it replaces the
    cluster. It is an ``IEmrCluster``: ``metric*()``, ``grant_add_steps``, ``grant_describe``, ``add_step``;
    ``EmrCluster.from_cluster_attributes`` imports one defined elsewhere.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: ClusterSpec,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection | None = None,
        log_bucket: s3.IBucket | None = None,
        log_key: kms.IKey | None = None,
        log_prefix: str | None = None,
        roles: EmrRoles | None = None,
        service_role: iam.IRole | None = None,
        instance_role: iam.IRole | None = None,
        instance_profile_name: str | None = None,
        auto_scaling_role: iam.IRole | None = None,
        primary_security_group: ec2.ISecurityGroup | None = None,
        core_security_group: ec2.ISecurityGroup | None = None,
        service_access_security_group: ec2.ISecurityGroup | None = None,
        security_configuration: EmrSecurityConfiguration | None = None,
        security_configuration_name: str | None = None,
        s3_data_key: kms.IKey | None = None,
        local_disk_key: kms.IKey | None = None,
        extra_configurations: Sequence[tuple[str, Sequence[ConfigurationSpec]]] = (),
        bootstrap_actions: Sequence[BootstrapAction] = (),
        steps: Sequence[Step] = (),
        cloudwatch_log_group_name: str | None = None,
    ) -> None:
        """
        :param spec: what the cluster is (release, instances, applications, security, jobs, monitoring).
        :param vpc: the VPC to launch in.
        :param vpc_subnets: where to launch.
            Default: the VPC's private subnets, else its isolated ones.
        :param log_bucket: bucket of the ``LogUri``.
            Default: a new ``EmrLogBucket`` (whose key then encrypts the logs).
        :param log_key: also encrypts the logs that EMR pushes (``LogEncryptionKmsKeyId``).
            Default: none, or the new log bucket's key.
        :param log_prefix: key prefix of the logs.
            Default: ``emr/<cluster name>``.
        :param roles: roles made by ``EmrRoles``.
            Default: a new ``EmrRoles``, unless ``service_role`` and ``instance_role`` are given.
        :param service_role: EMR's service role, made elsewhere, given together with ``instance_role``; a
            managed policy attached to it lets it pass the instance role.
            Default: none.
        :param instance_role: the nodes' EC2 role, made elsewhere; it may then write the cluster's logs.
            Default: none.
        :param instance_profile_name: an existing instance profile of ``instance_role``.
            Default: a new profile named after the role.
        :param auto_scaling_role: for custom automatic scaling of instance groups, with the roles given.
            Default: none.
        :param primary_security_group: with ``core_security_group`` and ``service_access_security_group`` (all
            three or none), the EMR-managed groups.
            Default: three new groups with a rule clean-up.
        :param security_configuration: the security configuration construct to use.
            Default: one built here from ``spec.security`` with ``s3_data_key`` and ``local_disk_key`` (each
            created when omitted and needed).
        :param security_configuration_name: an existing security configuration, used instead of one derived
            from ``spec.security``; key grants are then not derived (a warning says so).
            Default: none.
        :param s3_data_key: the EMRFS data key of the security configuration built here.
            Default: a new key when the spec needs one.
        :param local_disk_key: the local-disk key of the security configuration built here.
            Default: a new key when the spec needs one.
        :param extra_configurations: (source name, classifications) pairs merged with the spec's own; a
            disagreeing key is an error naming both sources.
            Default: none.
        :param bootstrap_actions: run after the spec's own.
            Default: none.
        :param steps: after the spec's own; ``AWS::EMR::Step`` resources (in order; CloudFormation waits for
            each to finish) unless the spec marks them ``at_creation`` (the create-only ``Steps``).
            Default: none.
        :param cloudwatch_log_group_name: with ``spec.monitoring.logs``, the encrypted log group for step and
            Spark logs.
            Default: ``/aws/emr/<cluster name>``.
        """
        super().__init__(scope, id)
        if security_configuration is not None and security_configuration_name is not None:
            raise ValueError(
                f"EmrCluster {id!r}: pass security_configuration or security_configuration_name, not both. Fix: keep "
                "the one the cluster should use"
            )
        if log_bucket is None:
            created_logs = EmrLogBucket(self, "Logs")
            log_bucket = created_logs.bucket
            log_key = log_key or created_logs.encryption_key
        self.spec = spec
        self.log_prefix = log_prefix or f"emr/{spec.name}"
        self.roles: ClusterRoles = cluster_roles(
            self,
            spec,
            roles=roles,
            log_bucket=log_bucket,
            log_key=log_key,
            log_prefix=self.log_prefix,
            service_role=service_role,
            instance_role=instance_role,
            instance_profile_name=instance_profile_name,
            auto_scaling_role=auto_scaling_role,
        )
        placement = place_cluster(
            self,
            vpc,
            vpc_subnets,
            (primary_security_group, core_security_group, service_access_security_group),
            log_key=log_key,
        )
        subnets = placement.subnets
        self.primary_security_group = placement.primary
        self.core_security_group = placement.core
        self.service_access_security_group = placement.service_access
        self.security_group_cleanup = placement.cleanup
        self._connections = ec2.Connections(security_groups=[self.primary_security_group, self.core_security_group])

        self.security_configuration: EmrSecurityConfiguration | None = None
        if security_configuration_name is None:
            self.security_configuration = security_configuration or EmrSecurityConfiguration(
                self,
                "SecurityConfiguration",
                spec=spec.security,
                s3_data_key=s3_data_key,
                local_disk_key=local_disk_key,
            )
            security_configuration_name = self.security_configuration.security_configuration_name
        else:
            Annotations.of(self).add_warning_v2(
                "emr-constructs:cluster-external-security-configuration",
                f"The cluster uses the security configuration {security_configuration_name!r} made elsewhere: the "
                "key grants derived from spec.security are skipped. Fix: grant the instance, service and runtime "
                "roles the use of that configuration's KMS keys yourself",
            )
        self.security_configuration_name = security_configuration_name
        key_policies = grant_cluster_access(self, spec, self.roles, self.security_configuration)
        kerberos = (
            kerberos_attributes(
                self,
                spec.security.kerberos,
                encryption_key=self.security_configuration.local_disk_key if self.security_configuration else None,
            )
            if spec.security.kerberos is not None
            else None
        )

        agent = wire_cloudwatch_agent(self, spec, self.roles.instance_role, log_group_name=cloudwatch_log_group_name)
        key_policies = [*key_policies, *agent.policies]
        self.cloudwatch_logs: ClusterLogGroup | None = agent.cloudwatch_logs
        actions = [
            *agent.bootstrap_actions,
            *(BootstrapAction.from_spec(self, a) for a in spec.bootstrap_actions),
            *bootstrap_actions,
        ]
        rendered_actions = [action.bind(self, self.roles.instance_role) for action in actions]
        all_steps = [*steps_from_specs(spec.steps), *((step, False) for step in steps)]
        with_role = [step.name for step, _ in all_steps if step.execution_role_arn is not None]
        if with_role:
            raise ValueError(
                f"EmrCluster {id!r}: steps {with_role} carry an execution role, but CloudFormation's steps (the "
                "cluster's Steps and AWS::EMR::Step) have no ExecutionRoleArn. Fix: submit them through the EMR API "
                "(emr-constructs submit --execution-role, or TransientJobFlow)"
            )
        creation_steps = [step.bind(self, self.roles.instance_role) for step, at_creation in all_steps if at_creation]
        merged = spec.merged_configurations(*((name, tuple(items)) for name, items in extra_configurations))
        wiring = ClusterWiring(
            service_role=self.roles.service_role.role_arn,
            job_flow_role=job_flow_role_name(self.roles),
            auto_scaling_role=self.roles.auto_scaling_role.role_arn if self.roles.auto_scaling_role else None,
            subnet_ids=[subnet.subnet_id for subnet in subnets],
            primary_security_group=self.primary_security_group.security_group_id,
            core_security_group=self.core_security_group.security_group_id,
            service_access_security_group=self.service_access_security_group.security_group_id,
            log_uri=f"s3://{log_bucket.bucket_name}/{self.log_prefix}/",
            log_encryption_kms_key_id=log_key.key_arn if log_key else None,
            security_configuration=security_configuration_name,
            kerberos_attributes=kerberos.attributes if kerberos else None,
            bootstrap_actions=rendered_actions,
            steps=creation_steps,
            monitoring_configuration=self.cloudwatch_logs.monitoring_configuration if self.cloudwatch_logs else None,
        )
        properties = render_cluster_properties(spec, wiring, merged)
        # MonitoringConfiguration is documented for AWS::EMR::Cluster (create-only) but not yet in the resource
        # schema that aws-cdk-lib and cfn-lint are generated from: it is set as an override.
        monitoring_configuration = properties.pop("MonitoringConfiguration", None)
        self.cfn_cluster = emr.CfnCluster(self, "Resource", **cfn_cluster_kwargs(properties))
        if monitoring_configuration is not None:
            self.cfn_cluster.add_property_override("MonitoringConfiguration", monitoring_configuration)
            reason = (
                "MonitoringConfiguration (CloudWatch Logs delivery, emr-7.11.0+, create-only) is documented in the "
                "AWS::EMR::Cluster template reference but missing from the resource schema that aws-cdk-lib and "
                "cfn-lint ship; it is set only when the cluster's monitoring.logs asks for it."
            )
            ignore_cfn_lint(self.cfn_cluster, "E3002", reason)
            Validations.of(self.cfn_cluster).acknowledge(
                Acknowledgment(id="CloudFormation-Validate::F3002", reason=reason)
            )
        if spec.acknowledge_replacement is not None:
            # Read by the replacement guard (emr_constructs.policy.guard); metadata changes replace nothing.
            self.cfn_cluster.add_metadata("emr-constructs", {"acknowledge-replacement": spec.acknowledge_replacement})
        # The roles' policies must exist before EMR starts nodes that write logs and use keys; the roles
        # themselves are referenced already.
        policies = [
            c for c in [*self.roles.node.find_all(), *key_policies] if isinstance(c, iam.Policy | iam.ManagedPolicy)
        ]
        if policies:
            self.cfn_cluster.node.add_dependency(*policies)
        self._acknowledge_policy_findings()
        for step, at_creation in all_steps:
            if not at_creation:
                self.add_step(f"Step-{step.name}", step)
        for warning_id, message in [*spec.warnings(), *spec.stack_managed_warnings()]:
            Annotations.of(self).add_warning_v2(f"emr-constructs:{warning_id}", message)

    def _acknowledge_policy_findings(self) -> None:
        cluster = self.cfn_cluster
        broken = (
            "cdk-nag 3.0.2's {rule} reads {flag} and its configuration block at the top level of the security "
            "configuration JSON, but EMR documents them under EncryptionConfiguration (EMR Management Guide, "
            "emr-create-security-configuration.html), where this cluster's security configuration has them "
            "(the library's tests prove it): the rule flags every correctly encrypted cluster. The JSON is never "
            "bent to satisfy it, since EMR validates the document."
        )
        Validations.of(cluster).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-EMR4",
                reason=broken.format(rule="AwsSolutions-EMR4", flag="EnableAtRestEncryption"),
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-EMR5",
                reason=broken.format(rule="AwsSolutions-EMR5", flag="EnableInTransitEncryption"),
            ),
        )
        if self.spec.uses_custom_auto_scaling:
            Validations.of(cluster).acknowledge(
                Acknowledgment(
                    id="CloudFormation-Validate::E1029",
                    reason="'${emr.clusterId}' in the custom automatic scaling alarms' JobFlowId dimension is EMR's "
                    "own placeholder (EMR Management Guide, 'Using automatic scaling with a custom policy'), not an "
                    "Fn::Sub variable; CloudFormation passes it through to EMR unchanged.",
                )
            )
        waiver = self.spec.security.kerberos_waiver
        if waiver is not None:
            reason = f"Kerberos waived in the cluster's configuration (security.kerberos_waiver): {waiver.reason}"
            Validations.of(cluster).acknowledge(
                Acknowledgment(id="AwsSolutions::AwsSolutions-EMR6", reason=reason),
                Acknowledgment(id="HIPAA.Security::HIPAA.Security-EMRKerberosEnabled", reason=reason),
            )

    @staticmethod
    def from_cluster_attributes(
        scope: Construct,
        id: str,
        *,
        cluster_id: str,
        instance_role: iam.IRole | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
        runtime_roles: Sequence[iam.IRole] = (),
    ) -> ImportedEmrCluster:
        """A cluster defined elsewhere, as an ``IEmrCluster``: metrics, grants, ``EmrMonitoring`` and
        ``add_step`` work on it. ``instance_role`` (default: unknown) receives what is granted to the cluster;
        ``security_groups`` (default: none, and ``connections`` raises) make it ``IConnectable``;
        ``runtime_roles`` (default: none) are what ``grant_add_steps`` lets the grantee pass to EMR."""
        return ImportedEmrCluster(
            scope,
            id,
            cluster_id=cluster_id,
            instance_role=instance_role,
            security_groups=security_groups,
            runtime_roles=runtime_roles,
        )

    @property
    def cluster_id(self) -> str:
        """The cluster id (``j-...``), a token."""
        return self.cfn_cluster.ref

    @property
    def instance_role(self) -> iam.IRole:
        return self.roles.instance_role

    @property
    def service_role(self) -> iam.IRole:
        return self.roles.service_role

    @property
    def runtime_roles(self) -> dict[str, iam.Role]:
        """Runtime roles by name (empty without ``security.runtime_roles``); data access goes to these."""
        return self.roles.runtime_roles

    def _runtime_role_arns(self) -> list[str]:
        return [role.role_arn for role in self.roles.runtime_roles.values()]

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The instance role: what runs on the nodes is what gets the grants."""
        return self.roles.instance_role

    @property
    def connections(self) -> ec2.Connections:
        return self._connections
