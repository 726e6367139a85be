#!/usr/bin/env python3
"""An EMR Serverless Spark application and a nightly job on it, from plain Python: the application runs in the
private subnets of the library's network, logs to an encrypted bucket and log group, and never holds more than its
maximum capacity; Step Functions runs the job (``emr-serverless:startJobRun.sync``) and reports the outcome.

Synthesise with ``cdk synth``: cdk-nag's AwsSolutions, HIPAA Security and NIST 800-53 R5 packs and the library's
``EmrChecks`` run as policy-validation plugins, so any unacknowledged finding fails the synth.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks
from constructs import Construct

from emr_constructs import (
    EmrChecks,
    EmrLogBucket,
    EmrNetwork,
    EmrServerlessApplication,
    EmrServerlessJob,
    MaximumCapacitySpec,
    ServerlessApplicationSpec,
    ServerlessJobSpec,
    ServerlessSparkSpec,
    acknowledge_data_grants,
)
from emr_constructs.iam import acknowledge_resource_finding

#: Replace with your account and region. A concrete environment makes ec2.Vpc read the availability zones from
#: the context (cdk.json names them), so synth needs no AWS credentials.
ENV = cdk.Environment(account="111111111111", region="eu-west-1")
ZONES = ["eu-west-1a", "eu-west-1b"]
DATA_BUCKET = "analytics-data-111111111111-eu-west-1"  # made elsewhere; the job reads orders/ and writes totals/
JOB = Path(__file__).resolve().parent / "daily_totals.py"

APPLICATION = ServerlessApplicationSpec(
    name="analytics",
    release_label="emr-7.12.0",
    # ARM64 (Graviton) by default. The guardrail: never more than this at once, across all job runs.
    maximum_capacity=MaximumCapacitySpec(cpu_vcpu=32, memory_gb=128, disk_gb=400),
    idle_timeout_minutes=10,
)
DAILY_TOTALS = ServerlessJobSpec(
    name="daily-totals",
    application="analytics",
    timeout_minutes=120,
    spark=ServerlessSparkSpec(
        script=str(JOB),  # shipped as an asset that only the application's execution role may read
        args=(f"s3://{DATA_BUCKET}/orders/", f"s3://{DATA_BUCKET}/totals/"),
        conf={"spark.executor.cores": "4"},
    ),
)


class ServerlessStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        network = EmrNetwork(self, "Network", availability_zones=ZONES)
        logs = EmrLogBucket(self, "Logs")
        application = EmrServerlessApplication(
            self,
            "Analytics",
            spec=APPLICATION,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.subnets),
            log_bucket=logs.bucket,
            log_key=logs.encryption_key,
        )
        data = s3.Bucket.from_bucket_name(self, "Data", DATA_BUCKET)
        data.grant_read(application, "orders/*")  # to the execution role
        data.grant_put(application, "totals/*")
        # Each wildcard CDK's grants write (action families, the two prefixes) is acknowledged on its own.
        acknowledge_data_grants([application.execution_role], [data.bucket_arn])
        job = EmrServerlessJob(
            self,
            "DailyTotals",
            application=application,
            spec=DAILY_TOTALS,
            schedule=events.Schedule.cron(hour="3", minute="0"),  # optional: start executions yourself without it
        )

        # The on-call role may rerun the job by hand, and submit runs of its own.
        operators = iam.Role(
            self,
            "Operators",
            assumed_by=iam.AccountPrincipal(self.account),
            description="Reruns the daily-totals job and submits job runs by hand",
        )
        job.grant_start_execution(operators)
        application.grant_start_job_run(operators)
        _acknowledge_operator_findings(operators, application)


def _acknowledge_operator_findings(role: iam.Role, application: EmrServerlessApplication) -> None:
    policy = role.node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, cdk.CfnResource)
    inline = (
        "CDK's grant_start_execution and grant_start_job_run write here the statements of this one role: start the "
        "job's state machine, start and follow runs of this one application, pass its execution role, use its log "
        "key; they are reviewed with the stack"
    )
    cdk.Validations.of(policy).acknowledge(
        *(
            cdk.Acknowledgment(id=f"{pack}::{pack}-IAMNoInlinePolicy", reason=inline)
            for pack in ("HIPAA.Security", "NIST.800.53.R5")
        ),
    )
    acknowledge_resource_finding(
        policy,
        "AwsSolutions::AwsSolutions-IAM5",
        f"{application.application_arn}/jobruns/*",
        reason="Job run ids exist only once a run starts: following and cancelling runs is limited to this one "
        "application's job runs",
    )


app = cdk.App()
cdk.Validations.of(app).add_plugins(
    AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), EmrChecks(app)
)
ServerlessStack(app, "ServerlessJob", env=ENV)
app.synth()
