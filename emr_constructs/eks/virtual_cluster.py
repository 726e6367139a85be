"""``EmrVirtualCluster``: an EMR on EKS virtual cluster on a namespace of an EKS cluster, with its security
configuration, job execution role and job logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
import jsii
from aws_cdk import aws_emrcontainers as emrcontainers
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_eks as eks

from emr_constructs.access import acknowledge_data_grants
from emr_constructs.eks.base import ImportedEmrVirtualCluster, VirtualClusterBase, virtual_cluster_arn
from emr_constructs.eks.cluster_access import prepare_namespace, uses_access_entries
from emr_constructs.eks.execution_role import (
    fixed_role_name,
    irsa_principal,
    pod_identity_associations,
    pod_identity_principal,
)
from emr_constructs.eks.permissions import job_access_policy
from emr_constructs.eks.security_configuration import (
    security_configuration,
    security_configuration_data,
    security_configuration_name,
)
from emr_constructs.eks.templates import job_template, managed_endpoint
from emr_constructs.logging import EmrLogBucket
from emr_constructs.logging.keys import admit_cloudwatch_logs, retained_key
from emr_constructs.spec.eks import VirtualClusterSpec

LOG_RETENTION = logs.RetentionDays.ONE_YEAR


@jsii.implements(iam.IGrantable)
class EmrVirtualCluster(VirtualClusterBase):
    """An ``AWS::EMRContainers::VirtualCluster`` on ``spec.namespace`` of an EKS cluster, created with an
    ``AWS::EMRContainers::SecurityConfiguration`` (``spec.security``; every property create-only: a change replaces
    both), a job execution role whose trust admits exactly this namespace's EMR service accounts of that role (IRSA
    or EKS Pod Identity, ``spec.identity``), and the jobs' logs: S3 under ``log_uri`` and a KMS-encrypted log group
    kept a year and retained (``monitoring_configuration`` is what a job run sends). ``spec.job_templates`` become
    ``AWS::EMRContainers::JobTemplate`` resources (``job_templates``) and ``spec.managed_endpoint`` an
    ``AWS::EMRContainers::Endpoint`` (``managed_endpoint``), both with this role, release and logs.

    :param spec: the virtual cluster.
    :param eks_cluster: an EKS cluster of this app; then its namespace (and, with ``spec.cluster_access``
        ``aws_auth``, the RBAC Role, RoleBinding and ``aws-auth`` mapping) are created too, and its authentication
        mode must agree with ``spec.cluster_access``.
        Default: the existing cluster ``spec.eks_cluster``, whose
        namespace must exist, with cluster access for EMR set up (access entries: authentication mode
        ``API_AND_CONFIG_MAP``; ``aws_auth``: ``eksctl create iamidentitymapping --service-name emr-containers``).
    :param execution_role: bring your own job execution role (its trust is then yours).
        Default: a new role named ``execution_role_name``.
    :param execution_role_name: the new role's fixed name.
        Default: ``spec.execution_role_name``, else ``<stack name>-<virtual cluster name>``.
    :param local_disk_key: encrypts the jobs' local disks (with ``spec.security.local_disk_encryption``).
        Default: a new rotated key, retained.
    :param s3_key: the SSE-KMS or CSE-KMS key of S3 data.
        Default: ``local_disk_key``'s default key.
    :param log_bucket: where job logs go.
        Default: a new ``EmrLogBucket``.
    :param log_key: encrypts the log group and the log bucket's objects.
        Default: the new log bucket's key, else a new rotated key.
    :param log_prefix: the S3 prefix of the logs.
        Default: ``emr-containers/<virtual cluster name>``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: VirtualClusterSpec,
        eks_cluster: eks.Cluster | None = None,
        execution_role: iam.IRole | None = None,
        execution_role_name: str | None = None,
        local_disk_key: kms.IKey | None = None,
        s3_key: kms.IKey | None = None,
        log_bucket: s3.IBucket | None = None,
        log_key: kms.IKey | None = None,
        log_prefix: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.spec = spec
        security = spec.security
        if (security.local_disk_encryption and local_disk_key is None) or (
            security.s3_encryption != "SSE-S3" and s3_key is None
        ):
            created = retained_key(self, "Key", f"EMR on EKS virtual cluster {spec.name}: local disks and S3 data")
            local_disk_key = local_disk_key or created
            s3_key = s3_key or created
        self.local_disk_key = local_disk_key if security.local_disk_encryption else None
        self.s3_key = s3_key if security.s3_encryption != "SSE-S3" else None
        if log_bucket is None:
            bucket = EmrLogBucket(self, "Logs", encryption_key=log_key)
            log_bucket, log_key = bucket.bucket, log_key or bucket.encryption_key
        if log_key is None:
            log_key = retained_key(self, "LogKey", f"EMR on EKS virtual cluster {spec.name}: job logs")
        self.log_key: kms.IKey = log_key
        admit_cloudwatch_logs(log_key)
        self.log_prefix = (log_prefix or f"emr-containers/{spec.name}").strip("/")
        #: Where the jobs' S3 logs go: ``s3://<bucket>/<prefix>/``.
        self.log_uri = f"s3://{log_bucket.bucket_name}/{self.log_prefix}/"
        self.log_group = logs.LogGroup(
            self, "LogGroup", encryption_key=log_key, retention=LOG_RETENTION, removal_policy=cdk.RemovalPolicy.RETAIN
        )
        self.security_configuration = security_configuration(
            self,
            "SecurityConfiguration",
            name=security_configuration_name(spec.name),
            data=security_configuration_data(
                security,
                eks_cluster=eks_cluster.cluster_name if eks_cluster is not None else spec.eks_cluster,
                local_disk_key_arn=self.local_disk_key.key_arn if self.local_disk_key else None,
                s3_key_arn=self.s3_key.key_arn if self.s3_key else None,
            ),
        )
        #: The EKS cluster's name: the CDK cluster's (a token) when one is given, else ``spec.eks_cluster``.
        self.eks_cluster_name = eks_cluster.cluster_name if eks_cluster is not None else spec.eks_cluster
        self.role_name = fixed_role_name(self, spec, execution_role_name)
        self.execution_role: iam.IRole = execution_role or iam.Role(
            self,
            "ExecutionRole",
            role_name=self.role_name,
            description=f"Runs the jobs of EMR on EKS virtual cluster {spec.name} ({spec.identity})",
            assumed_by=irsa_principal(self, spec, self.role_name)
            if spec.identity == "irsa"
            else pod_identity_principal(self, spec, self.role_name, self.eks_cluster_name),
        )
        if execution_role is not None:
            self.role_name = execution_role_name or execution_role.role_name
            if spec.identity == "pod_identity" and cdk.Token.is_unresolved(self.role_name):
                raise ValueError(
                    f"EmrVirtualCluster {id!r}: the given execution role's name is a token; EKS Pod Identity binds "
                    "service accounts that carry the name in base 36. Fix: pass execution_role_name='<its name>'"
                )
        else:
            # Grants to the virtual cluster (scripts, data) land in the role's default policy.
            acknowledge_data_grants([self.execution_role], [], inline=True)
        self.pod_identity_associations = (
            pod_identity_associations(self, spec, self.execution_role, self.role_name, self.eks_cluster_name)
            if spec.identity == "pod_identity"
            else []
        )
        self.job_access = job_access_policy(self, log_bucket=log_bucket)
        self.cfn_virtual_cluster = emrcontainers.CfnVirtualCluster(
            self,
            "Resource",
            name=spec.name,
            container_provider=emrcontainers.CfnVirtualCluster.ContainerProviderProperty(
                id=self.eks_cluster_name,
                type="EKS",
                info=emrcontainers.CfnVirtualCluster.ContainerInfoProperty(
                    eks_info=emrcontainers.CfnVirtualCluster.EksInfoProperty(namespace=spec.namespace)
                ),
            ),
            security_configuration_id=self.security_configuration.attr_id,
        )
        if eks_cluster is not None:
            self._prepare(eks_cluster)
            for association in self.pod_identity_associations:
                association.node.add_dependency(eks_cluster)
        self.virtual_cluster_id = self.cfn_virtual_cluster.attr_id
        self.virtual_cluster_arn = virtual_cluster_arn(self, self.virtual_cluster_id)
        self.virtual_cluster_name = spec.name
        self.job_templates = [job_template(self, template) for template in spec.job_templates]
        self.managed_endpoint = (
            managed_endpoint(self, spec.managed_endpoint) if spec.managed_endpoint is not None else None
        )

    def _prepare(self, cluster: eks.Cluster) -> None:
        aws_auth = self.spec.cluster_access == "aws_auth"
        if uses_access_entries(cluster) == aws_auth:
            raise ValueError(
                f"EmrVirtualCluster {self.node.id!r}: cluster_access {self.spec.cluster_access} does not fit the EKS "
                f"cluster's authentication mode ({cluster.authentication_mode}). Fix: use access_entries with "
                "authentication_mode API_AND_CONFIG_MAP (EMR creates its access entry), or aws_auth with CONFIG_MAP"
            )
        for dependency in prepare_namespace(cluster, self.spec.namespace, aws_auth=aws_auth):
            self.cfn_virtual_cluster.node.add_dependency(dependency)

    def monitoring_configuration(self) -> dict[str, object]:
        """``ConfigurationOverrides.MonitoringConfiguration`` of a job run (PascalCase, as Step Functions takes it):
        the S3 log location and the log group, a stream prefix per virtual cluster."""
        return {
            "PersistentAppUI": "ENABLED",
            "CloudWatchMonitoringConfiguration": {
                "LogGroupName": self.log_group.log_group_name,
                "LogStreamNamePrefix": self.virtual_cluster_name_prefix,
            },
            "S3MonitoringConfiguration": {"LogUri": self.log_uri},
        }

    @property
    def virtual_cluster_name_prefix(self) -> str:
        return "".join(c if c.isalnum() or c in "._-" else "-" for c in self.spec.name)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The execution role: grants to the virtual cluster are grants to its jobs."""
        return self.execution_role.grant_principal

    @staticmethod
    def from_virtual_cluster_attributes(
        scope: Construct, id: str, *, virtual_cluster_id: str, execution_role: iam.IRole | None = None
    ) -> VirtualClusterBase:
        """A virtual cluster defined elsewhere, by its id (and its execution role, for grants)."""
        return ImportedEmrVirtualCluster(
            scope, id, virtual_cluster_id=virtual_cluster_id, execution_role=execution_role
        )
