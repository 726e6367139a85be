#!/usr/bin/env python3
"""A cluster made elsewhere (another stack, another team, the console), known by its id: alarms, a dashboard and
notifications for it, a Lambda function that may add steps to it, and a role that may read it.

Synthesise with ``cdk synth``: cdk-nag's AwsSolutions, HIPAA Security and NIST 800-53 R5 packs and the library's
``EmrChecks`` run as policy-validation plugins, so any unacknowledged finding fails the synth.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks
from constructs import Construct

from emr_constructs import ClusterSpec, EmrChecks, EmrCluster, EmrMonitoring

ENV = cdk.Environment(account="111111111111", region="eu-west-1")  # replace with your account and region
CLUSTER_ID = "j-2AXXXXXXGAPLF"  # the shared cluster's id
INSTANCE_ROLE_ARN = f"arn:aws:iam::{ENV.account}:role/shared-emr-instance"  # its EC2 instance role

#: What the cluster is, for the alarms and the dashboard (fleets or groups, managed scaling): the shape of the
#: cluster made elsewhere, not a cluster this app creates.
SHARED_CLUSTER = ClusterSpec.model_validate(
    {
        "name": "shared-analytics",
        "release_label": "emr-7.12.0",
        "instance_fleets": {
            "primary": {"target_on_demand": 1, "instance_types": [{"instance_type": "m7g.xlarge"}]},
            "core": {"target_on_demand": 2, "instance_types": [{"instance_type": "m7g.2xlarge"}]},
        },
        "termination_protection": True,
        "monitoring": {"emails": ["data-platform@example.com"]},
    }
)

SUBMIT_STEP = """\
import os

import boto3

emr = boto3.client("emr")


def handler(event, context):
    response = emr.add_job_flow_steps(
        JobFlowId=os.environ["CLUSTER_ID"],
        Steps=[
            {
                "Name": event.get("name", "nightly-report"),
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {
                    "Jar": "command-runner.jar",
                    "Args": ["spark-submit", "--deploy-mode", "cluster", event["script"]],
                },
            }
        ],
    )
    return {"step_ids": response["StepIds"]}
"""


class SharedClusterStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: object) -> None:
        super().__init__(scope, id, **kwargs)  # type: ignore[arg-type]
        cluster = EmrCluster.from_cluster_attributes(
            self,
            "Cluster",
            cluster_id=CLUSTER_ID,
            instance_role=iam.Role.from_role_arn(self, "InstanceRole", INSTANCE_ROLE_ARN, mutable=False),
        )
        EmrMonitoring(self, "Monitoring", spec=SHARED_CLUSTER, cluster=cluster)

        # The submitter: its own role and an encrypted log group kept for a year (no AWS managed policy).
        log_key = kms.Key(
            self,
            "LogKey",
            description="Encrypts the step submitter's log group",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        log_key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{self.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": self.format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name="*",
                            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )
        log_group = logs.LogGroup(
            self,
            "SubmitterLogs",
            encryption_key=log_key,
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        role = iam.Role(
            self,
            "SubmitterRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Adds steps to the shared EMR cluster",
        )
        log_group.grant_write(role)
        submitter = lambda_.Function(
            self,
            "SubmitStep",
            description="Adds a Spark step to the shared EMR cluster",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_inline(SUBMIT_STEP),
            environment={"CLUSTER_ID": cluster.cluster_id},
            role=role,
            log_group=log_group,
            timeout=cdk.Duration.seconds(30),
        )
        cluster.grant_add_steps(submitter)
        _acknowledge_submitter_findings(submitter, role)

        # Operators who may read the cluster's state, steps and instances.
        readers = iam.Role(
            self,
            "ClusterReaders",
            assumed_by=iam.AccountPrincipal(self.account),
            description="Reads the shared EMR cluster",
        )
        cluster.grant_describe(readers)
        _acknowledge_grants_policy(readers)


def _acknowledge_submitter_findings(function: lambda_.Function, role: iam.Role) -> None:
    """The findings on the submitter that do not apply to it, each on the resource it names."""
    reasons = {
        "LambdaDLQ": "The function is invoked synchronously (by the team's scheduler, which retries and alerts); "
        "an error goes back to the caller, so a dead-letter queue would never receive anything",
        "LambdaInsideVPC": "The function calls only the EMR API and reaches nothing inside a VPC",
        "LambdaConcurrency": "No reserved concurrency: the function runs a few times a day, and a reservation fails "
        "stack creation in accounts whose unreserved concurrency is at Lambda's minimum of 100",
    }
    resource = function.node.default_child
    assert isinstance(resource, cdk.CfnResource)
    # cfn-lint W3005: aws-cdk-lib adds DependsOn on the role that the Role property already references.
    resource.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3005"]}})
    for pack in ("HIPAA.Security", "NIST.800.53.R5"):
        for rule, reason in reasons.items():
            cdk.Validations.of(resource).acknowledge(cdk.Acknowledgment(id=f"{pack}::{pack}-{rule}", reason=reason))
    _acknowledge_grants_policy(role)


def _acknowledge_grants_policy(role: iam.Role) -> None:
    """CDK's grant_* methods write their statements into the role's default (inline) policy."""
    policy = role.node.find_child("DefaultPolicy").node.default_child
    assert isinstance(policy, cdk.CfnResource)
    reason = (
        "CDK's grants write here statements that name only the shared cluster and this stack's own log group; "
        "they belong to this one role and are reviewed with the stack"
    )
    for pack in ("HIPAA.Security", "NIST.800.53.R5"):
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(id=f"{pack}::{pack}-IAMNoInlinePolicy", reason=reason)
        )


app = cdk.App()
cdk.Validations.of(app).add_plugins(
    AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app), EmrChecks(app)
)
SharedClusterStack(app, "SharedClusterAccess", env=ENV)
app.synth()
