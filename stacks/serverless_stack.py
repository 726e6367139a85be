"""One stateless stack per EMR Serverless application: the application, its execution role's data access, and the
state machines of the jobs that run on it."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.access import acknowledge_data_grants
from emr_constructs.operations.serverless import APPLICATION_ID_OUTPUT, EXECUTION_ROLE_ARN_OUTPUT, LOG_URI_OUTPUT
from emr_constructs.serverless import EmrServerlessApplication, EmrServerlessJob
from emr_constructs.spec import AppConfig, ServerlessApplicationSpec
from stacks.data_grants import data_bucket
from stacks.shared import bound_every_role, state_machine_outputs
from stacks.stateful_stack import StatefulStack, log_bucket_name


class ServerlessStack(cdk.Stack):
    """An ``EmrServerlessApplication`` in the stateful stack's private subnets, its logs in the log bucket under
    ``emr-serverless/<name>/`` with the logs key, the config's data access for it, and its ``serverless_jobs``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: AppConfig,
        application: ServerlessApplicationSpec,
        stateful: StatefulStack,
        catalog_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        bound_every_role(self, config)
        network = stateful.network
        log_bucket = s3.Bucket.from_bucket_name(self, "LogBucket", log_bucket_name(config))
        self.application = EmrServerlessApplication(
            self,
            "Application",
            spec=application,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.subnets),
            log_bucket=log_bucket,
            log_key=stateful.logs_key,
            catalog_key=catalog_key,
        )
        self._grant_data(config, stateful)
        self.jobs = [
            EmrServerlessJob(self, f"Job-{job.name}", application=self.application, spec=job)
            for job in config.serverless_jobs
            if job.application == application.name
        ]
        cdk.CfnOutput(self, APPLICATION_ID_OUTPUT, value=self.application.application_id)
        cdk.CfnOutput(self, EXECUTION_ROLE_ARN_OUTPUT, value=self.application.execution_role.role_arn)
        cdk.CfnOutput(self, LOG_URI_OUTPUT, value=self.application.log_uri)
        state_machine_outputs(self, self.jobs, "serverless")

    def _grant_data(self, config: AppConfig, stateful: StatefulStack) -> None:
        """The data buckets' access entries naming this application, and its Iceberg warehouse (read and write),
        through the standard CDK grants to the execution role."""
        spec = self.application.spec
        buckets: dict[str, s3.IBucket] = {}

        def bucket(name: str) -> s3.IBucket:
            return data_bucket(self, config, stateful, name, buckets)

        grants: list[tuple[s3.IBucket, str, str]] = [
            (bucket(data.name), entry.prefix, entry.access)
            for data in config.data_buckets
            for entry in data.access
            if entry.cluster == spec.name
        ]
        iceberg = spec.data_lake.iceberg
        if iceberg is not None:
            physical = {config.bucket_name(d.name): d.name for d in config.data_buckets}
            name, _, prefix = iceberg.warehouse.removeprefix("s3://").partition("/")
            grants.append((bucket(physical[name]), prefix, "read_write"))
        for target, prefix, access in grants:
            if access == "read":
                target.grant_read(self.application, f"{prefix}*")
            else:
                target.grant_read_write(self.application, f"{prefix}*")
        data_arns = [b.bucket_arn for b in buckets.values()] + [stateful.s3_data_key.key_arn]
        acknowledge_data_grants([self.application.execution_role], data_arns, inline=True)
