"""The default app's EMR Serverless stack: a Spark application in the private subnets with encrypted logs, auto-stop
and a maximum capacity, its data access, and the nightly job's state machine on ``startJobRun.sync``."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import yaml

from emr_constructs.spec import AppConfig
from stacks import project_context
from stacks.app_builder import ROOT, build_stacks
from tests.stacks.conftest import SynthesisedApp
from tests.stacks.test_dev_app import SERVERLESS, STATEFUL


def _of(dev_app: SynthesisedApp, kind: str) -> list[dict[str, Any]]:
    return [r for r in dev_app.templates[SERVERLESS]["Resources"].values() if r["Type"] == kind]


def _application(dev_app: SynthesisedApp) -> dict[str, Any]:
    (application,) = _of(dev_app, "AWS::EMRServerless::Application")
    return application["Properties"]  # type: ignore[no-any-return]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _stateful_output(reference: Any) -> str:
    assert reference["Fn::GetStackOutput"]["StackName"] == STATEFUL
    return str(reference["Fn::GetStackOutput"]["OutputName"])


def test_the_application_runs_in_the_private_subnets_with_its_own_group(dev_app: SynthesisedApp) -> None:
    network = _application(dev_app)["NetworkConfiguration"]
    subnets = [_stateful_output(s) for s in network["SubnetIds"]]
    assert len(subnets) == 3 and all("PrivateSubnet" in s for s in subnets)
    (group,) = _of(dev_app, "AWS::EC2::SecurityGroup")
    assert "SecurityGroupIngress" not in group["Properties"]
    assert network["SecurityGroupIds"] == [{"Fn::GetAtt": [_group_id(dev_app), "GroupId"]}]


def _group_id(dev_app: SynthesisedApp) -> str:
    resources = dev_app.templates[SERVERLESS]["Resources"]
    (logical_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::EC2::SecurityGroup"]
    return logical_id


def test_logs_are_encrypted_with_the_stateful_logs_key(dev_app: SynthesisedApp) -> None:
    monitoring = _application(dev_app)["MonitoringConfiguration"]
    keys = {
        _stateful_output(monitoring[part]["EncryptionKeyArn"])
        for part in (
            "S3MonitoringConfiguration",
            "CloudWatchLoggingConfiguration",
            "ManagedPersistenceMonitoringConfiguration",
        )
    }
    assert len(keys) == 1 and "LogsKey" in keys.pop()
    assert monitoring["S3MonitoringConfiguration"]["LogUri"] == (
        "s3://emr-constructs-dev-logs-111111111111-eu-west-1/emr-serverless/spark-serverless/"
    )
    groups = _of(dev_app, "AWS::Logs::LogGroup")
    assert len(groups) == 2  # the jobs' logs and the state machine's execution logs
    assert all("KmsKeyId" in g["Properties"] and g["DeletionPolicy"] == "Retain" for g in groups)


def test_auto_stop_and_the_capacity_guardrail(dev_app: SynthesisedApp) -> None:
    properties = _application(dev_app)
    assert properties["AutoStopConfiguration"] == {"Enabled": True, "IdleTimeoutMinutes": 15}
    assert properties["MaximumCapacity"] == {"Cpu": "32 vCPU", "Memory": "128 GB", "Disk": "400 GB"}
    assert (properties["Architecture"], properties["ReleaseLabel"], properties["Type"]) == (
        "ARM64",
        "emr-7.12.0",
        "Spark",
    )


def test_the_execution_role_reads_and_writes_only_the_granted_prefixes(dev_app: SynthesisedApp) -> None:
    resources = [
        json.dumps(statement["Resource"])
        for policy in _of(dev_app, "AWS::IAM::Policy")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(str(action).startswith("s3:") for action in _listed(statement["Action"]))
    ]
    text = " ".join(resources)
    assert "emr-constructs-dev-raw-111111111111-eu-west-1/orders/*" in text
    assert "emr-constructs-dev-curated-111111111111-eu-west-1/sales/*" in text
    assert "emr-constructs-dev-raw-111111111111-eu-west-1/*" not in text


def test_the_nightly_job_runs_on_start_job_run_sync_on_a_schedule(dev_app: SynthesisedApp) -> None:
    (machine,) = _of(dev_app, "AWS::StepFunctions::StateMachine")
    definition = json.dumps(machine["Properties"]["DefinitionString"])
    assert ":states:::emr-serverless:startJobRun.sync" in definition
    assert "jobs/sample_job.py" not in definition  # shipped as an asset, named by its hash
    (rule,) = _of(dev_app, "AWS::Events::Rule")
    assert rule["Properties"]["ScheduleExpression"] == "cron(0 4 * * ? *)"
    assert rule["Properties"]["State"] == "ENABLED"


def test_the_stack_publishes_what_submit_and_status_read(dev_app: SynthesisedApp) -> None:
    outputs = dev_app.templates[SERVERLESS]["Outputs"]
    assert {"ApplicationId", "ExecutionRoleArn", "LogUri", "NightlyTotalsStateMachineArn"} <= set(outputs)


def test_every_serverless_role_takes_the_configured_permissions_boundary() -> None:
    """iam.permissions_boundary_arn bounds the execution role and the jobs' state machine and schedule roles too."""
    raw = yaml.safe_load((ROOT / "config" / "dev.yaml").read_text())
    boundary = "arn:aws:iam::111111111111:policy/emr-boundary"
    raw["iam"]["permissions_boundary_arn"] = boundary
    raw["clusters"], raw["job_flows"] = [], []
    raw.pop("studio")
    raw["data_buckets"] = [
        {**bucket, "access": [e for e in bucket["access"] if e["cluster"] == "spark-serverless"]}
        for bucket in raw["data_buckets"]
    ]
    app = cdk.App(context=project_context())
    build_stacks(app, AppConfig.model_validate(raw))
    template = app.synth().get_stack_by_name(SERVERLESS).template
    roles = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert len(roles) == 3
    assert all(role["PermissionsBoundary"] == boundary for role in roles)
