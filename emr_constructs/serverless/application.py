"""``EmrServerlessApplication``: a ``ServerlessApplicationSpec`` on ``AWS::EMRServerless::Application``, in private
subnets with its own security group, encrypted logs, and a job execution role scoped to this application."""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emrserverless as emrserverless
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.access import acknowledge_data_grants
from emr_constructs.catalog import GlueCatalog
from emr_constructs.cluster.placement import launch_subnets
from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.logging import EmrLogBucket
from emr_constructs.logging.keys import admit_cloudwatch_logs, admit_emr_serverless
from emr_constructs.serverless.base import SERVICE, ImportedEmrServerlessApplication, ServerlessApplicationBase
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.serverless import PROMETHEUS_URL_PATTERN, ServerlessApplicationSpec

#: How long the application's CloudWatch log group keeps job logs.
LOG_RETENTION = logs.RetentionDays.ONE_YEAR
#: NetworkConfiguration: at most 16 subnets and 5 security groups (AWS::EMRServerless::Application schema).
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5


def _configuration(spec: ConfigurationSpec) -> emrserverless.CfnApplication.ConfigurationObjectProperty:
    return emrserverless.CfnApplication.ConfigurationObjectProperty(
        classification=spec.classification,
        properties=dict(spec.properties) or None,
        configurations=[_configuration(c) for c in spec.configurations] or None,
    )


@jsii.implements(iam.IGrantable, ec2.IConnectable)
class EmrServerlessApplication(ServerlessApplicationBase):
    """An EMR Serverless application from a ``ServerlessApplicationSpec``.

    It runs in ``vpc_subnets`` of ``vpc`` with ``security_groups`` (default: one new group, all outbound, no
    inbound). Job logs go to ``s3://<log_bucket>/<log_prefix>/`` encrypted with ``log_key`` and to a new
    KMS-encrypted CloudWatch log group (RETAIN, one year); managed persistence (the Spark UI after a run) is on.
    ``execution_role`` (default: a new role trusting ``emr-serverless.amazonaws.com`` for this account and this
    application only) runs the jobs and may write those logs; grant it data access (``bucket.grant_read(app)``).
    ``cfn_application`` (construct id ``Resource``) is the escape hatch.

    :param log_bucket: bucket of the S3 job logs.
        Default: a new ``EmrLogBucket`` (whose key then encrypts the logs).
    :param log_key: encrypts the S3 logs, the CloudWatch log group and managed persistence.
        Default: the new log bucket's key, else a new rotated key.
    :param log_prefix: key prefix of the S3 logs.
        Default: ``emr-serverless/<application name>``.
    :param catalog_key: the KMS key of an encrypted Glue Data Catalog, for ``spec.data_lake.catalog``.
        Default: none (the catalog is not encrypted with a customer-managed key).

    With ``spec.data_lake.catalog`` the execution role gets the catalog's databases
    (``GlueCatalog.grant_metastore_access``); with ``spec.prometheus_remote_write_url``, ``aps:RemoteWrite`` on
    that workspace only.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: ServerlessApplicationSpec,
        vpc: ec2.IVpc,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        log_bucket: s3.IBucket | None = None,
        log_key: kms.IKey | None = None,
        log_prefix: str | None = None,
        execution_role: iam.IRole | None = None,
        catalog_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.spec = spec
        subnets = launch_subnets(self, vpc, vpc_subnets)
        if len(subnets) > MAX_SUBNETS or len(security_groups or ()) > MAX_SECURITY_GROUPS:
            raise ValueError(
                f"EmrServerlessApplication {id!r}: {len(subnets)} subnets and {len(security_groups or ())} security "
                f"groups; an application takes at most {MAX_SUBNETS} and {MAX_SECURITY_GROUPS}. "
                "Fix: select fewer with vpc_subnets and security_groups"
            )
        if security_groups is None:
            group = ec2.SecurityGroup(
                self,
                "SecurityGroup",
                vpc=vpc,
                description=f"EMR Serverless application {spec.name}: outbound only",
                allow_all_outbound=True,
            )
            security_groups = [group]
        self.security_groups = list(security_groups)
        #: The application's security groups: ``app.connections.allow_to(database, port)``.
        self.connections = ec2.Connections(security_groups=self.security_groups)
        if log_bucket is None:
            created = EmrLogBucket(self, "Logs")
            log_bucket, log_key = created.bucket, log_key or created.encryption_key
        if log_key is None:
            log_key = kms.Key(
                self,
                "LogKey",
                description=f"Encrypts the logs of EMR Serverless application {spec.name}",
                enable_key_rotation=True,
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
        self.log_key: kms.IKey | None = log_key
        admit_cloudwatch_logs(log_key)
        self.log_prefix = (log_prefix or f"emr-serverless/{spec.name}").strip("/")
        #: Where the jobs' S3 logs go: ``s3://<bucket>/<prefix>/``.
        self.log_uri = f"s3://{log_bucket.bucket_name}/{self.log_prefix}/"
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            encryption_key=log_key,
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        cfn = emrserverless.CfnApplication
        maximum = spec.maximum_capacity
        self.cfn_application = cfn(
            self,
            "Resource",
            name=spec.name,
            release_label=spec.release_label,
            type=spec.type,
            architecture=spec.architecture,
            maximum_capacity=cfn.MaximumAllowedResourcesProperty(
                cpu=f"{maximum.cpu_vcpu} vCPU",
                memory=f"{maximum.memory_gb} GB",
                disk=f"{maximum.disk_gb} GB" if maximum.disk_gb is not None else None,
            )
            if maximum is not None
            else None,
            initial_capacity=[
                cfn.InitialCapacityConfigKeyValuePairProperty(
                    key=key,
                    value=cfn.InitialCapacityConfigProperty(
                        worker_count=workers.worker_count,
                        worker_configuration=_worker_configuration(workers.worker.rendered()),
                    ),
                )
                for key, workers in sorted(spec.initial_capacity.items())
            ]
            or None,
            auto_start_configuration=cfn.AutoStartConfigurationProperty(enabled=spec.auto_start),
            auto_stop_configuration=cfn.AutoStopConfigurationProperty(
                enabled=spec.auto_stop, idle_timeout_minutes=spec.idle_timeout_minutes if spec.auto_stop else None
            ),
            network_configuration=cfn.NetworkConfigurationProperty(
                subnet_ids=[s.subnet_id for s in subnets],
                security_group_ids=[g.security_group_id for g in self.security_groups],
            ),
            monitoring_configuration=cfn.MonitoringConfigurationProperty(
                s3_monitoring_configuration=cfn.S3MonitoringConfigurationProperty(
                    log_uri=self.log_uri, encryption_key_arn=log_key.key_arn
                ),
                cloud_watch_logging_configuration=cfn.CloudWatchLoggingConfigurationProperty(
                    enabled=True, log_group_name=self.log_group.log_group_name, encryption_key_arn=log_key.key_arn
                ),
                managed_persistence_monitoring_configuration=cfn.ManagedPersistenceMonitoringConfigurationProperty(
                    enabled=True, encryption_key_arn=log_key.key_arn
                ),
                prometheus_monitoring_configuration=cfn.PrometheusMonitoringConfigurationProperty(
                    remote_write_url=spec.prometheus_remote_write_url
                )
                if spec.prometheus_remote_write_url
                else None,
            ),
            scheduler_configuration=cfn.SchedulerConfigurationProperty(
                max_concurrent_runs=spec.scheduler.max_concurrent_runs,
                queue_timeout_minutes=spec.scheduler.queue_timeout_minutes,
            )
            if spec.scheduler is not None
            else None,
            image_configuration=cfn.ImageConfigurationInputProperty(image_uri=spec.image_uri)
            if spec.image_uri
            else None,
            worker_type_specifications={
                key: cfn.WorkerTypeSpecificationInputProperty(
                    image_configuration=cfn.ImageConfigurationInputProperty(image_uri=uri)
                )
                for key, uri in sorted(spec.worker_images.items())
            }
            or None,
            interactive_configuration=cfn.InteractiveConfigurationProperty(
                studio_enabled=spec.studio, livy_endpoint_enabled=spec.livy
            )
            if spec.studio or spec.livy
            else None,
            runtime_configuration=[_configuration(c) for c in spec.merged_configurations()] or None,
        )
        self._waive(
            [
                *([("EMR-SLS2", spec.unbounded_capacity_reason)] if maximum is None else []),
                *([("EMR-SLS3", spec.always_on_reason)] if not spec.auto_stop else []),
            ]
        )
        self.application_id = self.cfn_application.attr_application_id
        self.application_name = spec.name
        self.application_arn = self.cfn_application.attr_arn
        # EMR Serverless encrypts the S3 and managed-storage logs itself: the key policy must admit it.
        if not admit_emr_serverless(log_key):
            cdk.Annotations.of(self).add_warning_v2(
                "emr-constructs:serverless-log-key-policy",
                "the log key is imported, so its key policy cannot be changed here: it must let "
                "emr-serverless.amazonaws.com use kms:Decrypt and kms:GenerateDataKey for this application "
                "(condition aws:SourceArn), or job runs cannot write their logs",
            )
        self.execution_role: iam.IRole = execution_role or self._execution_role()
        if execution_role is None:
            # Grants to the application (scripts, data, Prometheus) land in the role's default policy.
            acknowledge_data_grants([self.execution_role], [], inline=True)
        self._grant_logs(log_bucket, log_key)
        self._grant_services(catalog_key)

    def _waive(self, waivers: list[tuple[str, str | None]]) -> None:
        """The spec's stated reasons for EMR pack warnings, for the policy plugins at synth and, as cdk-nag
        metadata in the template, for ``emr-constructs check``."""
        stated = [(rule, reason) for rule, reason in waivers if reason]
        for rule, reason in stated:
            cdk.Validations.of(self.cfn_application).acknowledge(
                cdk.Acknowledgment(id=f"EmrChecks::EmrChecks-{rule}", reason=reason)
            )
        if stated:
            suppressions = [{"id": f"EmrChecks-{rule}", "reason": reason} for rule, reason in stated]
            self.cfn_application.add_metadata("cdk_nag", {"rules_to_suppress": suppressions})

    def _execution_role(self) -> iam.Role:
        stack = cdk.Stack.of(self)
        return iam.Role(
            self,
            "ExecutionRole",
            description=f"Runs the jobs of EMR Serverless application {self.spec.name}",
            assumed_by=iam.ServicePrincipal(SERVICE).with_conditions(
                {
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {"aws:SourceArn": self.application_arn},
                }
            ),
        )

    def _grant_logs(self, bucket: s3.IBucket, key: kms.IKey) -> None:
        """The execution role writes the job logs under the prefix and to the log group, with the key."""
        objects = bucket.arn_for_objects(f"{self.log_prefix}/*")
        # The log group's Arn attribute ends in ":*": it covers the group's streams too.
        streams = self.log_group.log_group_arn
        log_groups = cdk.Stack.of(self).format_arn(
            service="logs", resource="log-group", resource_name="*", arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME
        )
        policy = iam.ManagedPolicy(
            self,
            "LogAccess",
            description=f"EMR Serverless application {self.spec.name}: its jobs write their logs",
            roles=[self.execution_role],
            statements=[
                iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject"], resources=[objects]),
                iam.PolicyStatement(
                    actions=[
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                        "logs:AssociateKmsKey",
                    ],
                    resources=[streams],
                ),
                # "Storing logs": the jobs look their log group up before writing.
                iam.PolicyStatement(actions=["logs:DescribeLogGroups"], resources=[log_groups]),
                iam.PolicyStatement(
                    actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                    resources=[key.key_arn],
                ),
            ],
        )
        target = policy.node.default_child or policy
        acknowledge_resource_finding(
            target,
            "AwsSolutions::AwsSolutions-IAM5",
            objects,
            reason=f"Jobs write log files of their own choosing under the log prefix '{self.log_prefix}/' "
            "and nowhere else in the bucket; the object names are not known in advance.",
        )
        acknowledge_resource_finding(
            target,
            "AwsSolutions::AwsSolutions-IAM5",
            streams,
            reason="Jobs create their own log streams (one per job run and worker) in this application's log group "
            "only; the stream names are not known in advance.",
        )
        acknowledge_resource_finding(
            target,
            "AwsSolutions::AwsSolutions-IAM5",
            log_groups,
            reason="logs:DescribeLogGroups lists log groups by prefix and takes no single group: EMR Serverless's "
            "'Storing logs' page grants it on the account's log groups; it reads names and settings only.",
        )

    def _grant_services(self, catalog_key: kms.IKey | None) -> None:
        """The Glue Data Catalog of ``spec.data_lake`` and the Prometheus workspace, to the execution role."""
        catalog = self.spec.data_lake.catalog
        if catalog is not None:
            GlueCatalog.grant_metastore_access(
                self,
                self.execution_role,
                catalog,
                catalog_key_arn=catalog_key.key_arn if catalog_key is not None else None,
            )
        url = self.spec.prometheus_remote_write_url
        match = re.match(PROMETHEUS_URL_PATTERN, url) if url else None
        if match is not None:
            workspace = cdk.Stack.of(self).format_arn(
                service="aps", region=match[1], resource="workspace", resource_name=match[2]
            )
            iam.Grant.add_to_principal(
                grantee=self.execution_role, actions=["aps:RemoteWrite"], resource_arns=[workspace]
            )

    # --- the application as other constructs see it ---------------------------------------------------------

    @staticmethod
    def from_application_attributes(
        scope: Construct,
        id: str,
        *,
        application_id: str,
        application_name: str,
        execution_role: iam.IRole | None = None,
        log_key: kms.IKey | None = None,
    ) -> ImportedEmrServerlessApplication:
        """An application defined elsewhere, as an ``IEmrServerlessApplication``: grants and metrics work on it.
        ``execution_role`` (default: unknown, and ``grant_start_job_run`` grants no ``iam:PassRole``) is the role
        its jobs run with; ``log_key`` (default: unknown, no key grant) the key of its encrypted logs."""
        return ImportedEmrServerlessApplication(
            scope,
            id,
            application_id=application_id,
            application_name=application_name,
            execution_role=execution_role,
            log_key=log_key,
        )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The execution role: data access for the jobs goes to it."""
        assert self.execution_role is not None
        return self.execution_role.grant_principal


def _worker_configuration(rendered: dict[str, str]) -> emrserverless.CfnApplication.WorkerConfigurationProperty:
    return emrserverless.CfnApplication.WorkerConfigurationProperty(
        cpu=rendered["Cpu"], memory=rendered["Memory"], disk=rendered["Disk"], disk_type=rendered.get("DiskType")
    )
