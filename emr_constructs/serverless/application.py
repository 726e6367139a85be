"""``EmrServerlessApplication``: a ``ServerlessApplicationSpec`` on ``AWS::EMRServerless::Application``, in private
subnets with its own security group, encrypted logs, and a job execution role scoped to this application."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emrserverless as emrserverless
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.cluster.placement import launch_subnets
from emr_constructs.iam import acknowledge_resource_finding
from emr_constructs.logging import EmrLogBucket
from emr_constructs.logging.keys import admit_cloudwatch_logs
from emr_constructs.serverless.base import SERVICE, ImportedEmrServerlessApplication, ServerlessApplicationBase
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.serverless import ServerlessApplicationSpec

#: How long the application's CloudWatch log group keeps job logs.
LOG_RETENTION = logs.RetentionDays.ONE_YEAR


def _configuration(spec: ConfigurationSpec) -> emrserverless.CfnApplication.ConfigurationObjectProperty:
    return emrserverless.CfnApplication.ConfigurationObjectProperty(
        classification=spec.classification,
        properties=dict(spec.properties) or None,
        configurations=[_configuration(c) for c in spec.configurations] or None,
    )


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
    ) -> None:
        super().__init__(scope, id)
        self.spec = spec
        subnets = launch_subnets(self, vpc, vpc_subnets)
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
        self.log_key = log_key
        admit_cloudwatch_logs(log_key)
        self.log_prefix = (log_prefix or f"emr-serverless/{spec.name}").strip("/")
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
                    log_uri=f"s3://{log_bucket.bucket_name}/{self.log_prefix}/", encryption_key_arn=log_key.key_arn
                ),
                cloud_watch_logging_configuration=cfn.CloudWatchLoggingConfigurationProperty(
                    enabled=True, log_group_name=self.log_group.log_group_name, encryption_key_arn=log_key.key_arn
                ),
                managed_persistence_monitoring_configuration=cfn.ManagedPersistenceMonitoringConfigurationProperty(
                    enabled=True, encryption_key_arn=log_key.key_arn
                ),
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
            interactive_configuration=cfn.InteractiveConfigurationProperty(
                studio_enabled=spec.studio, livy_endpoint_enabled=spec.livy
            )
            if spec.studio or spec.livy
            else None,
            runtime_configuration=[_configuration(c) for c in spec.configurations] or None,
        )
        self.application_id = self.cfn_application.attr_application_id
        self.application_name = spec.name
        self.application_arn = self.cfn_application.attr_arn
        self.execution_role: iam.IRole = execution_role or self._execution_role()
        self._grant_logs(log_bucket, log_key)

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
        streams = f"{self.log_group.log_group_arn}:*"
        policy = iam.ManagedPolicy(
            self,
            "LogAccess",
            description=f"EMR Serverless application {self.spec.name}: its jobs write their logs",
            roles=[self.execution_role],
            statements=[
                iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject"], resources=[objects]),
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    resources=[self.log_group.log_group_arn, streams],
                ),
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

    # --- the application as other constructs see it ---------------------------------------------------------

    @staticmethod
    def from_application_attributes(
        scope: Construct,
        id: str,
        *,
        application_id: str,
        application_name: str,
        execution_role: iam.IRole | None = None,
    ) -> ImportedEmrServerlessApplication:
        """An application defined elsewhere, as an ``IEmrServerlessApplication``: grants and metrics work on it.
        ``execution_role`` (default: unknown, and ``grant_start_job_run`` grants no ``iam:PassRole``) is the role
        its jobs run with."""
        return ImportedEmrServerlessApplication(
            scope, id, application_id=application_id, application_name=application_name, execution_role=execution_role
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
