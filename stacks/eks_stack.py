"""One stateless stack per EMR on EKS virtual cluster: the virtual cluster, its security configuration and job
execution role, the role's data access, and the state machines of the jobs that run on it."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.access import acknowledge_data_grants
from emr_constructs.eks import EmrContainersJob, EmrVirtualCluster
from emr_constructs.spec import AppConfig, VirtualClusterSpec
from emr_constructs.spec.eks_checks import execution_role_name
from stacks.data_grants import data_bucket
from stacks.shared import bound_every_role, state_machine_outputs
from stacks.stateful_stack import StatefulStack, log_bucket_name

#: The stack's outputs, for operators and ``aws emr-containers start-job-run``.
VIRTUAL_CLUSTER_ID_OUTPUT = "VirtualClusterId"
EXECUTION_ROLE_ARN_OUTPUT = "ExecutionRoleArn"
LOG_URI_OUTPUT = "LogUri"


class EksStack(cdk.Stack):
    """An ``EmrVirtualCluster`` on an existing EKS cluster: local disks under the stateful local disk key, S3 data
    under the S3 data key, logs in the log bucket under ``emr-containers/<name>/`` and a log group under the logs
    key; the config's data access for its execution role; its ``eks_jobs``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: AppConfig,
        virtual_cluster: VirtualClusterSpec,
        stateful: StatefulStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        bound_every_role(self, config)
        self.virtual_cluster = EmrVirtualCluster(
            self,
            "VirtualCluster",
            spec=virtual_cluster,
            execution_role_name=execution_role_name(config, virtual_cluster),
            local_disk_key=stateful.local_disk_key,
            s3_key=stateful.s3_data_key,
            log_bucket=s3.Bucket.from_bucket_name(self, "LogBucket", log_bucket_name(config)),
            log_key=stateful.logs_key,
        )
        self._grant_data(config, stateful)
        self.jobs = [
            EmrContainersJob(self, f"Job-{job.name}", virtual_cluster=self.virtual_cluster, spec=job)
            for job in config.eks_jobs
            if job.virtual_cluster == virtual_cluster.name
        ]
        cdk.CfnOutput(self, VIRTUAL_CLUSTER_ID_OUTPUT, value=self.virtual_cluster.virtual_cluster_id)
        cdk.CfnOutput(self, EXECUTION_ROLE_ARN_OUTPUT, value=self.virtual_cluster.execution_role.role_arn)
        cdk.CfnOutput(self, LOG_URI_OUTPUT, value=self.virtual_cluster.log_uri)
        for template in self.virtual_cluster.job_templates:
            cdk.CfnOutput(
                self,
                f"JobTemplateId{template.node.id.removeprefix('JobTemplate-').replace('-', '')}",
                value=template.attr_id,
                description=f"Job template {template.name} (aws emr-containers start-job-run --job-template-id)",
            )
        endpoint = self.virtual_cluster.managed_endpoint
        if endpoint is not None:
            cdk.CfnOutput(self, "ManagedEndpointId", value=endpoint.attr_id, description="For EMR Studio Workspaces")
        state_machine_outputs(self, self.jobs, "EMR on EKS")

    def _grant_data(self, config: AppConfig, stateful: StatefulStack) -> None:
        """The data buckets' access entries naming this virtual cluster, through the standard CDK grants to its
        execution role."""
        name = self.virtual_cluster.spec.name
        buckets: dict[str, s3.IBucket] = {}
        for data in config.data_buckets:
            for entry in data.access:
                if entry.cluster != name:
                    continue
                bucket = data_bucket(self, config, stateful, data.name, buckets)
                if entry.access == "read":
                    bucket.grant_read(self.virtual_cluster, f"{entry.prefix}*")
                else:
                    bucket.grant_read_write(self.virtual_cluster, f"{entry.prefix}*")
        data_arns = [b.bucket_arn for b in buckets.values()] + [stateful.s3_data_key.key_arn]
        acknowledge_data_grants([self.virtual_cluster.execution_role], data_arns, inline=True)
