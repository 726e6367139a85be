#!/usr/bin/env python3
"""EMR on EKS from plain Python: a virtual cluster on a namespace of an EKS cluster your platform team runs, with a
security configuration (local disks and S3 data under your key), a job execution role that only this namespace's
EMR job pods can assume (IRSA: the condition ``aws emr-containers update-role-trust-policy`` writes), and a nightly
Spark job that Step Functions runs on ``emr-containers:startJobRun.sync``.

The EKS cluster must exist with the namespace, authentication mode ``API_AND_CONFIG_MAP`` (EMR creates its access
entry itself) and its OIDC issuer registered as an IAM OIDC provider. Synthesise with ``cdk synth``: cdk-nag's
AwsSolutions, HIPAA Security and NIST 800-53 R5 packs and the library's ``EmrChecks`` run as policy-validation
plugins, so any unacknowledged finding fails the synth.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks
from constructs import Construct

from emr_constructs import (
    EksJobSpec,
    EmrChecks,
    EmrContainersJob,
    EmrLogBucket,
    EmrVirtualCluster,
    ServerlessSparkSpec,
    VirtualClusterSpec,
    acknowledge_data_grants,
)
from emr_constructs.iam import acknowledge_resource_finding

#: Replace with your account, region, EKS cluster and its OIDC issuer
#: (aws eks describe-cluster --name analytics-eks --query cluster.identity.oidc.issuer).
ENV = cdk.Environment(account="111111111111", region="eu-west-1")
DATA_BUCKET = "analytics-data-111111111111-eu-west-1"  # made elsewhere; the job reads orders/ and writes totals/
JOB = Path(__file__).resolve().parent / "daily_totals.py"

VIRTUAL_CLUSTER = VirtualClusterSpec(
    name="analytics",
    eks_cluster="analytics-eks",
    namespace="emr-analytics",
    release_label="emr-7.5.0-latest",
    oidc_issuer="https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    execution_role_name="emr-analytics-jobs",  # fixed: the trust condition carries it in base 36
)
DAILY_TOTALS = EksJobSpec(
    name="daily-totals",
    virtual_cluster="analytics",
    timeout_minutes=120,  # EMR on EKS runs have no timeout of their own: the state machine waits this long
    spark=ServerlessSparkSpec(
        script=str(JOB),  # shipped as an asset that only the execution role may read
        args=(f"s3://{DATA_BUCKET}/orders/", f"s3://{DATA_BUCKET}/totals/"),
        conf={"spark.executor.instances": "4"},
    ),
)


class EmrOnEksStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        key = kms.Key(
            self,
            "DataKey",
            description="EMR on EKS analytics: local disks and S3 data",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        logs = EmrLogBucket(self, "Logs")
        cluster = EmrVirtualCluster(
            self,
            "Analytics",
            spec=VIRTUAL_CLUSTER,
            local_disk_key=key,
            s3_key=key,
            log_bucket=logs.bucket,
            log_key=logs.encryption_key,
        )
        data = s3.Bucket.from_bucket_name(self, "Data", DATA_BUCKET)
        data.grant_read(cluster, "orders/*")  # to the execution role
        data.grant_put(cluster, "totals/*")
        acknowledge_data_grants([cluster.execution_role], [data.bucket_arn])
        job = EmrContainersJob(
            self,
            "DailyTotals",
            virtual_cluster=cluster,
            spec=DAILY_TOTALS,
            schedule=events.Schedule.cron(hour="3", minute="0"),  # optional: start executions yourself without it
        )

        # The on-call role may rerun the job by hand, and submit runs of its own as the execution role.
        operators = iam.Role(
            self,
            "Operators",
            assumed_by=iam.AccountPrincipal(self.account),
            description="Reruns the daily-totals job and submits EMR on EKS job runs by hand",
        )
        job.grant_start_execution(operators)
        cluster.grant_start_job_run(operators)
        _acknowledge_operator_findings(operators, cluster)


def _acknowledge_operator_findings(role: iam.Role, cluster: EmrVirtualCluster) -> None:
    policy = role.node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, cdk.CfnResource)
    inline = (
        "CDK's grant_start_execution and grant_start_job_run write here the statements of this one role: start the "
        "job's state machine, start runs of this one virtual cluster as its execution role and follow them; they "
        "are reviewed with the stack"
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
        cluster.job_runs_arn,
        reason="Job run ids exist only once a run starts: following and cancelling runs is limited to this one "
        "virtual cluster's job runs",
    )


app = cdk.App()
cdk.Validations.of(app).add_plugins(
    AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), EmrChecks(app)
)
EmrOnEksStack(app, "EmrOnEks", env=ENV)
app.synth()
