"""One stateless stack per transient job flow: its state machine, cluster roles, topic and schedule."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from emr_constructs.jobflow import TransientJobFlow
from emr_constructs.spec import AppConfig, JobFlowSpec
from stacks.data_grants import grant_data_access
from stacks.stateful_stack import StatefulStack, log_bucket_name


class JobFlowStack(cdk.Stack):
    """A ``TransientJobFlow`` for ``job_flow`` on the stateful stack's network, keys and log bucket."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: AppConfig,
        job_flow: JobFlowSpec,
        stateful: StatefulStack,
        catalog_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        cluster = job_flow.cluster
        network = stateful.network
        log_prefix = f"emr/{cluster.name}"
        log_bucket = s3.Bucket.from_bucket_name(self, "LogBucket", log_bucket_name(config))
        self.job_flow = TransientJobFlow(
            self,
            "JobFlow",
            spec=cluster,
            steps=(),
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.subnets),
            log_bucket=log_bucket,
            log_key=stateful.logs_key,
            log_prefix=log_prefix,
            s3_data_key=stateful.s3_data_key,
            local_disk_key=stateful.local_disk_key,
            primary_security_group=network.primary_security_group,
            core_security_group=network.core_security_group,
            service_access_security_group=network.service_access_security_group,
            schedule=events.Schedule.expression(job_flow.schedule) if job_flow.schedule else None,
            cloudwatch_log_group_name=config.log_group_name(cluster.name),
            newer_request_fields=job_flow.newer_request_fields,
        )
        grant_data_access(
            self,
            config=config,
            cluster=cluster,
            stateful=stateful,
            catalog_key=catalog_key,
            grantee=self.job_flow.roles.instance_role,
            runtime_roles=self.job_flow.roles.runtime_roles,
        )
        cdk.CfnOutput(self, "StateMachineArn", value=self.job_flow.state_machine_arn)
        cdk.CfnOutput(self, "TopicArn", value=self.job_flow.topic.topic_arn)
