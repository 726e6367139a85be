#!/usr/bin/env python3
"""A nightly transient EMR job flow: Step Functions creates a cluster, runs a Spark step on it, terminates it and
reports the outcome. The spec is built in code; the network and the log bucket come from the library.

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
    ClusterSpec,
    EmrChecks,
    EmrLogBucket,
    EmrNetwork,
    InstanceFleetSpec,
    InstanceFleetsSpec,
    InstanceTypeSpec,
    ReleaseLabel,
    SparkStep,
    TransientJobFlow,
)

#: Replace with your account and region. A concrete environment makes ec2.Vpc read the availability zones from
#: the context (cdk.json names them), so synth needs no AWS credentials.
ENV = cdk.Environment(account="111111111111", region="eu-west-1")
ZONES = ["eu-west-1a", "eu-west-1b"]
DATA_BUCKET = "analytics-data-111111111111-eu-west-1"  # made elsewhere; the job reads orders/ and writes totals/
JOB = Path(__file__).resolve().parent / "daily_totals.py"

SPEC = ClusterSpec(
    name="daily-totals",
    release_label=ReleaseLabel.of("emr-7.12.0"),
    instance_fleets=InstanceFleetsSpec(
        primary=InstanceFleetSpec(
            target_on_demand=1,
            instance_types=(InstanceTypeSpec(instance_type="m7g.xlarge"), InstanceTypeSpec(instance_type="m6g.xlarge")),
        ),
        core=InstanceFleetSpec(
            target_on_demand=2,
            instance_types=(
                InstanceTypeSpec(instance_type="m7g.2xlarge"),
                InstanceTypeSpec(instance_type="m6g.2xlarge"),
            ),
        ),
    ),
    auto_termination_idle_seconds=1800,  # the backstop if an execution is stopped before it terminates the cluster
)


class DailyTotalsStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        network = EmrNetwork(self, "Network", availability_zones=ZONES)
        logs = EmrLogBucket(self, "Logs")
        flow = TransientJobFlow(
            self,
            "DailyTotals",
            spec=SPEC,
            steps=[
                SparkStep(
                    "daily-totals",
                    str(JOB),
                    args=(f"s3://{DATA_BUCKET}/orders/", f"s3://{DATA_BUCKET}/totals/"),
                )
            ],
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=network.subnets),
            primary_security_group=network.primary_security_group,
            core_security_group=network.core_security_group,
            service_access_security_group=network.service_access_security_group,
            log_bucket=logs.bucket,
            log_key=logs.encryption_key,
            schedule=events.Schedule.cron(hour="3", minute="0"),  # optional: start executions yourself without it
        )
        data = s3.Bucket.from_bucket_name(self, "Data", DATA_BUCKET)
        data.grant_read(flow.instance_role, "orders/*")
        data.grant_put(flow.instance_role, "totals/*")
        _acknowledge_data_grants(flow.instance_role)

        # The on-call role may rerun the job flow by hand.
        operators = iam.Role(
            self,
            "Operators",
            assumed_by=iam.AccountPrincipal(self.account),
            description="Starts the daily-totals job flow by hand",
        )
        flow.grant_start_execution(operators)
        policy = operators.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(policy, cdk.CfnResource)
        reason = (
            "CDK's grant_start_execution writes here one statement, states:StartExecution on this job flow's state "
            "machine; it belongs to this one role and is reviewed with the stack"
        )
        for pack in ("HIPAA.Security", "NIST.800.53.R5"):
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=f"{pack}::{pack}-IAMNoInlinePolicy", reason=reason)
            )


def _acknowledge_data_grants(role: iam.IRole) -> None:
    """CDK's S3 grants write action families and object prefixes into the role's default policy: AwsSolutions-IAM5
    reports each wildcard, acknowledged here one by one (a new wildcard stays a finding)."""
    policy = role.node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, cdk.CfnResource)
    actions = "Action family of CDK's bucket.grant_read / grant_put, limited to the job's two prefixes of one bucket"
    objects = "The job reads and writes objects whose names it chooses under this one prefix"
    cdk.Validations.of(policy).acknowledge(
        *(
            cdk.Acknowledgment(id=f"AwsSolutions::AwsSolutions-IAM5[Action::{action}]", reason=actions)
            for action in ("s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*")
        ),
        *(
            cdk.Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::{DATA_BUCKET}/{prefix}/*]", reason=objects
            )
            for prefix in ("orders", "totals")
        ),
    )


app = cdk.App()
cdk.Validations.of(app).add_plugins(
    AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), EmrChecks(app)
)
DailyTotalsStack(app, "DailyTotals", env=ENV)
app.synth()
