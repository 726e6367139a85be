"""``EmrServerlessApplication`` from plain Python: the rendered application, its network, logs and execution role,
its grants, the policy packs and cfn-lint."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import aws_cdk.assertions
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from emr_constructs.serverless import EmrServerlessApplication, IEmrServerlessApplication
from emr_constructs.spec import ServerlessApplicationSpec
from tests.constructs.test_cluster import ENV
from tests.nag import nag_app, policy_failures, synth_findings
from tests.spec.test_serverless import BASE
from tests.templates import cfn_lint

SPEC = {
    **copy.deepcopy(BASE),
    "scheduler": {"max_concurrent_runs": 10, "queue_timeout_minutes": 60},
    "configurations": [{"classification": "spark-defaults", "properties": {"spark.sql.adaptive.enabled": True}}],
}


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = nag_app()
    stack = cdk.Stack(app, "Serverless", env=ENV)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="jobs", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    application = EmrServerlessApplication(
        stack, "Application", spec=ServerlessApplicationSpec.model_validate(SPEC), vpc=vpc
    )
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    application.grant_start_job_run(submitter)
    findings = synth_findings(app)
    template = json.loads((Path(app.outdir) / "Serverless.template.json").read_text())
    return {"app": app, "stack": stack, "application": application, "findings": findings, "template": template}


def _of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _application(built: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = _of(built["template"], "AWS::EMRServerless::Application").items()
    return logical_id, resource["Properties"]


def test_the_application_renders_the_spec(built: dict[str, Any]) -> None:
    _, properties = _application(built)
    assert (properties["Name"], properties["ReleaseLabel"], properties["Type"], properties["Architecture"]) == (
        "spark-serverless",
        "emr-7.12.0",
        "Spark",
        "ARM64",
    )
    assert properties["MaximumCapacity"] == {"Cpu": "64 vCPU", "Memory": "256 GB", "Disk": "1000 GB"}
    assert properties["InitialCapacity"] == [
        {
            "Key": "Driver",
            "Value": {"WorkerCount": 1, "WorkerConfiguration": {"Cpu": "2 vCPU", "Memory": "8 GB", "Disk": "20 GB"}},
        },
        {
            "Key": "Executor",
            "Value": {"WorkerCount": 2, "WorkerConfiguration": {"Cpu": "4 vCPU", "Memory": "16 GB", "Disk": "50 GB"}},
        },
    ]
    assert properties["AutoStartConfiguration"] == {"Enabled": True}
    assert properties["AutoStopConfiguration"] == {"Enabled": True, "IdleTimeoutMinutes": 15}
    assert properties["SchedulerConfiguration"] == {"MaxConcurrentRuns": 10, "QueueTimeoutMinutes": 60}
    assert properties["RuntimeConfiguration"] == [
        {"Classification": "spark-defaults", "Properties": {"spark.sql.adaptive.enabled": "true"}}
    ]


def test_it_runs_in_the_private_subnets_with_its_own_outbound_only_group(built: dict[str, Any]) -> None:
    _, properties = _application(built)
    subnets = _of(built["template"], "AWS::EC2::Subnet")
    assert sorted(properties["NetworkConfiguration"]["SubnetIds"], key=str) == sorted(
        ({"Ref": k} for k in subnets), key=str
    )
    ((group_id, group),) = _of(built["template"], "AWS::EC2::SecurityGroup").items()
    assert properties["NetworkConfiguration"]["SecurityGroupIds"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    assert "SecurityGroupIngress" not in group["Properties"]


def test_logs_are_encrypted_with_a_customer_managed_key(built: dict[str, Any]) -> None:
    _, properties = _application(built)
    monitoring = properties["MonitoringConfiguration"]
    key = monitoring["S3MonitoringConfiguration"]["EncryptionKeyArn"]
    assert key["Fn::GetAtt"][1] == "Arn" and key["Fn::GetAtt"][0] in _of(built["template"], "AWS::KMS::Key")
    assert monitoring["CloudWatchLoggingConfiguration"]["Enabled"] is True
    assert monitoring["CloudWatchLoggingConfiguration"]["EncryptionKeyArn"] == key
    assert monitoring["ManagedPersistenceMonitoringConfiguration"] == {"Enabled": True, "EncryptionKeyArn": key}
    ((_, group),) = _of(built["template"], "AWS::Logs::LogGroup").items()
    assert group["Properties"]["KmsKeyId"] == key and group["DeletionPolicy"] == "Retain"
    assert monitoring["S3MonitoringConfiguration"]["LogUri"]["Fn::Join"][1][-1] == "/emr-serverless/spark-serverless/"


def test_the_execution_role_trusts_this_application_only(built: dict[str, Any]) -> None:
    application_id, _ = _application(built)
    roles = _of(built["template"], "AWS::IAM::Role")
    (role,) = [r for k, r in roles.items() if "ExecutionRole" in k]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "emr-serverless.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111111111111"},
        "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [application_id, "Arn"]}},
    }


def test_grant_start_job_run_passes_the_execution_role_to_emr_serverless_only(built: dict[str, Any]) -> None:
    application_id, _ = _application(built)
    policies = _of(built["template"], "AWS::IAM::Policy")
    (policy,) = [p for k, p in policies.items() if k.startswith("Submitter")]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    start = next(s for s in statements if "emr-serverless:StartJobRun" in s["Action"])
    assert start["Resource"][0] == {"Fn::GetAtt": [application_id, "Arn"]}
    passing = next(s for s in statements if s["Action"] == "iam:PassRole")
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}
    (execution_role,) = [k for k in _of(built["template"], "AWS::IAM::Role") if "ExecutionRole" in k]
    assert passing["Resource"] == {"Fn::GetAtt": [execution_role, "Arn"]}


def test_metrics_name_this_application(built: dict[str, Any]) -> None:
    application_id, _ = _application(built)
    metric = built["application"].metric("FailedJobs")
    assert metric.namespace == "AWS/EMRServerless"
    assert built["stack"].resolve(metric.dimensions) == {
        "ApplicationId": {"Fn::GetAtt": [application_id, "ApplicationId"]},
        "ApplicationName": "spark-serverless",
    }
    workers = built["application"].metric("RunningWorkerCount", dimensions={"WorkerType": "SPARK_DRIVER"})
    assert built["stack"].resolve(workers.dimensions)["WorkerType"] == "SPARK_DRIVER"


def test_the_library_constructs_pass_every_policy_pack(built: dict[str, Any]) -> None:
    """The user's VPC (no flow log) and the test's submitter role are theirs to judge."""
    ours = [f for f in policy_failures(built["findings"]) if "/Application" in f]
    assert ours == []


def test_cfn_lint_is_clean(built: dict[str, Any]) -> None:
    findings = cfn_lint(built["template"])
    assert [f for f in findings if not (f.startswith("W3010 ") and "/Resources/Vpc" in f.replace("(", "/"))] == []


def _uses(application: IEmrServerlessApplication, grantee: iam.IGrantable) -> iam.Grant:
    """Typed against the interface: both kinds of application satisfy it (mypy checks the calls)."""
    application.metric_failed_jobs()
    return application.grant_start_job_run(grantee)


def test_an_imported_application_takes_grants_and_metrics() -> None:
    stack = cdk.Stack(cdk.App(), "Imported", env=ENV)
    role = iam.Role.from_role_arn(stack, "Execution", "arn:aws:iam::111111111111:role/jobs", mutable=False)
    imported = EmrServerlessApplication.from_application_attributes(
        stack, "Application", application_id="00fabcdefgh12345", application_name="shared", execution_role=role
    )
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    _uses(imported, submitter)
    arn = stack.resolve(imported.application_arn)
    assert arn == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":emr-serverless:eu-west-1:111111111111:/applications/00fabcdefgh12345",
            ],
        ]
    }
    statements = cdk.assertions.Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    (policy,) = statements.values()
    documents = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {"emr-serverless:StartJobRun", "emr-serverless:CancelJobRun"} <= set(documents[0]["Action"])
    assert documents[1] == {
        "Action": "iam:PassRole",
        "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
        "Effect": "Allow",
        "Resource": "arn:aws:iam::111111111111:role/jobs",
    }
    failed = imported.metric_failed_jobs()
    assert failed.statistic == "Sum"
    assert stack.resolve(failed.dimensions) == {"ApplicationId": "00fabcdefgh12345", "ApplicationName": "shared"}


def test_an_import_without_its_role_grants_no_pass_role() -> None:
    stack = cdk.Stack(cdk.App(), "Imported", env=ENV)
    imported = EmrServerlessApplication.from_application_attributes(
        stack, "Application", application_id="00fabcdefgh12345", application_name="shared"
    )
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    imported.grant_start_job_run(submitter)
    (policy,) = cdk.assertions.Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    assert [
        s["Action"] for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "iam:PassRole"
    ] == []


def test_the_application_is_an_interface_user(built: dict[str, Any]) -> None:
    submitter = iam.Role(built["stack"], "InterfaceUser", assumed_by=iam.AccountRootPrincipal())
    grant = _uses(built["application"], submitter)
    assert grant.success
