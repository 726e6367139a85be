"""``EmrServerlessJob``: the state machine on ``emr-serverless:startJobRun.sync`` (its request against botocore's
``emr-serverless`` model), the application's start and stop around a run, least-privilege IAM, the script asset,
the notifications and schedule, the policy packs and cfn-lint."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator

from emr_constructs.iam import flatten_cfn_reference
from emr_constructs.serverless import EmrServerlessApplication, EmrServerlessJob
from emr_constructs.serverless import job_definition as names
from emr_constructs.spec import ServerlessApplicationSpec, ServerlessJobSpec
from emr_constructs.spec.serverless import QUEUE_TIMEOUT_MINUTES
from tests.constructs.test_cluster import ENV
from tests.nag import nag_app, synth_findings
from tests.spec.test_serverless import BASE
from tests.templates import cfn_lint

SPARK_JOB: dict[str, Any] = {
    "name": "nightly",
    "application": "spark-serverless",
    "schedule": "cron(0 4 * * ? *)",
    "timeout_minutes": 90,
    "max_attempts": 2,
    "spark": {"script": "jobs/sample_job.py", "args": ["s3://in/", "s3://out/"], "conf": {"spark.executor.cores": "4"}},
    "configurations": [{"classification": "spark-defaults", "properties": {"spark.sql.shuffle.partitions": "64"}}],
}
HIVE_APP = {**copy.deepcopy(BASE), "name": "hive-serverless", "type": "Hive", "initial_capacity": {}}
HIVE_JOB: dict[str, Any] = {
    "name": "hive-report",
    "application": "hive-serverless",
    "hive": {"query": "s3://queries-bucket/report.sql", "parameters": {"hive.exec.scratchdir": "s3://scratch-b/t/"}},
}


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = nag_app()
    stack = cdk.Stack(app, "Jobs", env=ENV)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="jobs", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    for child in (vpc.node.default_child,):
        for rule in (
            "AwsSolutions::AwsSolutions-VPC7",
            "HIPAA.Security::HIPAA.Security-VPCFlowLogsEnabled",
            "NIST.800.53.R5::NIST.800.53.R5-VPCFlowLogsEnabled",
            "HIPAA.Security::HIPAA.Security-VPCDefaultSecurityGroupClosed",
            "NIST.800.53.R5::NIST.800.53.R5-VPCDefaultSecurityGroupClosed",
        ):
            cdk.Validations.of(child).acknowledge(cdk.Acknowledgment(id=rule, reason="The test's own VPC."))
    spark_app = EmrServerlessApplication(
        stack,
        "Spark",
        spec=ServerlessApplicationSpec.model_validate({**copy.deepcopy(BASE), "auto_start": False}),
        vpc=vpc,
    )
    spark_job = EmrServerlessJob(
        stack, "Nightly", application=spark_app, spec=ServerlessJobSpec.model_validate(SPARK_JOB)
    )
    hive_app = EmrServerlessApplication(stack, "Hive", spec=ServerlessApplicationSpec.model_validate(HIVE_APP), vpc=vpc)
    hive_job = EmrServerlessJob(stack, "Report", application=hive_app, spec=ServerlessJobSpec.model_validate(HIVE_JOB))
    findings = synth_findings(app)
    template = json.loads((Path(app.outdir) / "Jobs.template.json").read_text())
    return {
        "app": app,
        "stack": stack,
        "template": template,
        "findings": findings,
        "spark_job": spark_job,
        "hive_job": hive_job,
        "spark_app": spark_app,
        "hive_app": hive_app,
    }


def _logical_id(construct: Any) -> str:
    element = construct if isinstance(construct, cdk.CfnElement) else construct.node.default_child
    return cdk.Stack.of(construct).get_logical_id(element)


def _definition(built: dict[str, Any], job: str) -> dict[str, Any]:
    """The state machine definition, each CloudFormation reference replaced by its placeholder (``<Id.Attr>``)."""
    machine = built["template"]["Resources"][_logical_id(built[job].state_machine)]
    body = machine["Properties"]["DefinitionString"]
    delimiter, pieces = body["Fn::Join"]
    text = delimiter.join(p if isinstance(p, str) else flatten_cfn_reference(p) for p in pieces)
    definition: dict[str, Any] = json.loads(text)
    return definition


def _statements(built: dict[str, Any], job: str) -> dict[str, dict[str, Any]]:
    policy = built["template"]["Resources"][_logical_id(built[job].policy)]
    return {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def _as_api(value: Any, shape: Shape) -> Any:
    """Task parameters (PascalCase, ``.$`` paths) as the API request botocore validates (its member names)."""
    if isinstance(shape, StructureShape):
        members = {name.lower(): name for name in shape.members}
        result = {}
        for key, item in value.items():
            name = key.removesuffix(".$")
            api = members[name.lower()]  # a KeyError here is a field the API does not have
            result[api] = "token-from-states-uuid" if key.endswith(".$") else _as_api(item, shape.members[api])
        return result
    if shape.type_name == "list":
        return [_as_api(item, shape.member) for item in value]  # type: ignore[attr-defined]
    return value


@pytest.mark.parametrize("job", ["spark_job", "hive_job"])
def test_the_request_validates_against_botocore(built: dict[str, Any], job: str) -> None:
    parameters = _definition(built, job)["States"][names.RUN_JOB]["Parameters"]
    model = botocore.session.get_session().get_service_model("emr-serverless").operation_model("StartJobRun")
    assert model.input_shape is not None
    request = _as_api(parameters, model.input_shape)
    assert set(model.input_shape.required_members) <= set(request)
    report = ParamValidator().validate(request, model.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_the_spark_request_renders_the_spec(built: dict[str, Any]) -> None:
    parameters = _definition(built, "spark_job")["States"][names.RUN_JOB]["Parameters"]
    app_id = _logical_id(built["spark_app"].cfn_application)
    assert parameters["ApplicationId"] == f"<{app_id}.ApplicationId>"
    role = cdk.Stack.of(built["spark_app"]).get_logical_id(built["spark_app"].execution_role.node.default_child)
    assert parameters["ExecutionRoleArn"] == f"<{role}.Arn>"
    assert parameters["ClientToken.$"] == "States.UUID()"  # one token per execution
    assert (parameters["Name"], parameters["ExecutionTimeoutMinutes"]) == ("nightly", 90)
    assert "Mode" not in parameters  # EMR's default, BATCH
    assert parameters["RetryPolicy"] == {"MaxAttempts": 2}
    spark = parameters["JobDriver"]["SparkSubmit"]
    assert spark["EntryPoint"].startswith("s3://cdk-hnb659fds-assets-111111111111-eu-west-1/")
    assert spark["EntryPoint"].endswith(".py")
    assert spark["EntryPointArguments"] == ["s3://in/", "s3://out/"]
    assert spark["SparkSubmitParameters"] == "--conf spark.executor.cores=4"
    overrides = parameters["ConfigurationOverrides"]
    assert overrides["ApplicationConfiguration"] == [
        {"Classification": "spark-defaults", "Properties": {"spark.sql.shuffle.partitions": "64"}}
    ]
    s3 = overrides["MonitoringConfiguration"]["S3MonitoringConfiguration"]
    assert s3["LogUri"].endswith("/emr-serverless/spark-serverless/")
    assert s3["EncryptionKeyArn"].endswith(".Arn>")


def test_the_hive_request_renders_the_spec(built: dict[str, Any]) -> None:
    parameters = _definition(built, "hive_job")["States"][names.RUN_JOB]["Parameters"]
    assert parameters["JobDriver"] == {
        "Hive": {
            "Query": "s3://queries-bucket/report.sql",
            "Parameters": "--hiveconf hive.exec.scratchdir=s3://scratch-b/t/",
        }
    }
    assert "RetryPolicy" not in parameters  # one attempt: EMR's default


def test_a_managed_application_is_started_before_and_stopped_after_every_run(built: dict[str, Any]) -> None:
    definition = _definition(built, "spark_job")
    states = definition["States"]
    assert definition["StartAt"] == names.START_APPLICATION
    resources = {name: state.get("Resource", "").partition(":states:::")[2] for name, state in states.items()}
    assert resources[names.START_APPLICATION] == "emr-serverless:startApplication.sync"
    assert resources[names.RUN_JOB] == "emr-serverless:startJobRun.sync"
    assert (
        resources[names.STOP_APPLICATION]
        == resources[names.STOP_AFTER_FAILURE]
        == "emr-serverless:stopApplication.sync"
    )
    assert states[names.START_APPLICATION]["Catch"][0]["Next"] == names.STOP_AFTER_FAILURE
    assert states[names.RUN_JOB]["Catch"][0] == {
        "ErrorEquals": ["States.ALL"],
        "ResultPath": "$.Error",
        "Next": names.STOP_AFTER_FAILURE,
    }
    assert states[names.RUN_JOB]["Next"] == names.STOP_APPLICATION
    assert (
        states[names.STOP_AFTER_FAILURE]["Next"]
        == states[names.STOP_AFTER_FAILURE]["Catch"][0]["Next"]
        == names.NOTIFY_FAILURE
    )
    # A stop that fails after a good run (another run still on the application) is reported; the run succeeded.
    assert states[names.STOP_APPLICATION]["Catch"][0]["Next"] == names.NOTIFY_NOT_STOPPED
    assert states[names.NOTIFY_NOT_STOPPED]["Next"] == names.SUCCEEDED
    assert states[names.NOTIFY_FAILURE]["Next"] == names.FAILED


def test_an_auto_started_application_is_left_alone(built: dict[str, Any]) -> None:
    states = _definition(built, "hive_job")["States"]
    assert set(states) == {names.RUN_JOB, names.NOTIFY_SUCCESS, names.NOTIFY_FAILURE, names.SUCCEEDED, names.FAILED}
    assert not {"StartAndStopApplication", "ManagedRuleForApplications"} & set(_statements(built, "hive_job"))


def test_the_task_waits_for_every_attempt_and_the_queue(built: dict[str, Any]) -> None:
    run = _definition(built, "spark_job")["States"][names.RUN_JOB]
    queue = QUEUE_TIMEOUT_MINUTES[1]  # no scheduler configuration: the longest queue time
    assert run["TimeoutSeconds"] == 2 * (90 + queue) * 60  # each attempt may queue again
    # The execution's own limit covers the longest path: start (3 tries), the run, stop, one notification.
    start, stop, notify = 3 * 1800 + 90, 1800, 4 * 300 + 35
    assert _definition(built, "spark_job")["TimeoutSeconds"] == run["TimeoutSeconds"] + start + stop + notify
    hive = _definition(built, "hive_job")
    assert hive["TimeoutSeconds"] == hive["States"][names.RUN_JOB]["TimeoutSeconds"] + notify
    machine = built["template"]["Resources"][_logical_id(built["spark_job"].state_machine)]["Properties"]
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["TracingConfiguration"] == {"Enabled": True}


def test_success_notifications_print_the_whole_result(built: dict[str, Any]) -> None:
    """No field of the result is assumed: a missing JSONPath would fail the execution after a good run."""
    message = _definition(built, "spark_job")["States"][names.NOTIFY_SUCCESS]["Parameters"]["Message.$"]
    assert message.endswith("$$.Execution.Name, States.JsonToString($.JobRun))")


def test_only_the_state_machine_may_publish_to_the_topic(built: dict[str, Any]) -> None:
    """No service principal in the topic key's policy: no EventBridge rule publishes there."""
    template = built["template"]
    key = template["Resources"][_logical_id(built["spark_job"].topic_key)]
    services = [s["Principal"].get("Service") for s in key["Properties"]["KeyPolicy"]["Statement"] if "Principal" in s]
    assert services == [None]  # the account root only (IAM delegation)


def test_failure_notifications_name_the_logs_and_the_error(built: dict[str, Any]) -> None:
    failure = _definition(built, "spark_job")["States"][names.NOTIFY_FAILURE]["Parameters"]
    message = failure["Message.$"]
    app_id = _logical_id(built["spark_app"].cfn_application)
    assert f"/emr-serverless/spark-serverless/applications/<{app_id}.ApplicationId>/jobs/" in message
    assert message.endswith("$$.Execution.Name, States.JsonToString($.Error))")
    topic = _logical_id(built["spark_job"].topic)
    assert failure["TopicArn"] == f"<{topic}>"
    resource = built["template"]["Resources"][topic]["Properties"]
    assert "KmsMasterKeyId" in resource


def test_the_state_machine_may_do_exactly_what_the_integrations_need(built: dict[str, Any]) -> None:
    """Step Functions Developer Guide, "IAM policies for Amazon EMR Serverless"."""
    statements = _statements(built, "spark_job")
    app = _logical_id(built["spark_app"].cfn_application)
    assert statements["StartJobRun"]["Resource"] == {"Fn::GetAtt": [app, "Arn"]}
    assert statements["FollowAndCancelJobRuns"]["Resource"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": [app, "Arn"]}, "/jobruns/*"]]
    }
    assert statements["PassExecutionRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}
    }
    role = cdk.Stack.of(built["spark_app"]).get_logical_id(built["spark_app"].execution_role.node.default_child)
    assert statements["PassExecutionRole"]["Resource"] == {"Fn::GetAtt": [role, "Arn"]}
    rules = {
        sid: json.dumps(statements[sid]["Resource"]) for sid in ("ManagedRuleForJobRuns", "ManagedRuleForApplications")
    }
    assert "rule/StepFunctionsGetEventsForEMRServerlessJobRule" in rules["ManagedRuleForJobRuns"]
    assert "rule/StepFunctionsGetEventsForEMRServerlessApplicationRule" in rules["ManagedRuleForApplications"]
    assert sorted(statements["StartAndStopApplication"]["Action"]) == [
        "emr-serverless:GetApplication",
        "emr-serverless:StartApplication",
        "emr-serverless:StopApplication",
    ]
    key = _logical_id(built["spark_app"].log_key)
    assert statements["UseLogKey"]["Resource"] == {"Fn::GetAtt": [key, "Arn"]}  # or EMR rejects the run
    assert statements["UseLogKey"]["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    wildcard = [sid for sid, s in statements.items() if s["Resource"] == "*"]
    assert sorted(wildcard) == ["DeliverExecutionLogs", "Tracing"]


def test_the_script_is_readable_by_the_execution_role_only(built: dict[str, Any]) -> None:
    template = built["template"]
    readers = []
    for resource in template["Resources"].values():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if "cdk-hnb659fds-assets" in json.dumps(statement["Resource"]):
                readers.append((resource["Properties"].get("Roles"), statement["Action"]))
    role = cdk.Stack.of(built["spark_app"]).get_logical_id(built["spark_app"].execution_role.node.default_child)
    assert readers == [([{"Ref": role}], "s3:GetObject")]


def test_the_schedule_starts_this_state_machine_only(built: dict[str, Any]) -> None:
    job = built["spark_job"]
    rule = built["template"]["Resources"][_logical_id(job.schedule_rule)]["Properties"]
    assert rule["ScheduleExpression"] == "cron(0 4 * * ? *)"
    assert rule["Description"] == "Starts EMR Serverless job nightly."
    assert built["hive_job"].schedule_rule is None


def test_the_policy_packs_find_nothing(built: dict[str, Any]) -> None:
    assert built["findings"] == []


def test_cfn_lint_is_clean(built: dict[str, Any]) -> None:
    findings = cfn_lint(built["template"])
    # The test's own VPC takes the zones of a dummy environment.
    assert [f for f in findings if not (f.startswith("W3010 ") and "/Resources/Vpc" in f.replace("(", "/"))] == []


def test_grant_start_execution(built: dict[str, Any]) -> None:
    stack = cdk.Stack(cdk.App(), "Other", env=ENV)
    role = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    imported = EmrServerlessApplication.from_application_attributes(
        stack,
        "Imported",
        application_id="00abc",
        application_name="shared",
        execution_role=iam.Role.from_role_arn(stack, "Exec", "arn:aws:iam::111111111111:role/exec"),
    )
    job = EmrServerlessJob(
        stack, "Job", application=imported, spec=ServerlessJobSpec.model_validate({**HIVE_JOB, "application": "shared"})
    )
    job.grant_start_execution(role)
    assert job.manage_application is False  # an imported application's auto-start is not known: left alone
    text = json.dumps(cdk.assertions.Template.from_stack(stack).to_json())
    assert "states:StartExecution" in text and "arn:aws:iam::111111111111:role/exec" in text


def test_fails_a_job_of_the_wrong_type_for_the_application(built: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"EmrServerlessJob 'Wrong': spark: application hive-serverless runs Hive"):
        EmrServerlessJob(
            built["stack"],
            "Wrong",
            application=built["hive_app"],
            spec=ServerlessJobSpec.model_validate({**SPARK_JOB, "application": "hive-serverless"}),
        )


def test_fails_an_imported_application_without_its_execution_role() -> None:
    stack = cdk.Stack(cdk.App(), "Other", env=ENV)
    imported = EmrServerlessApplication.from_application_attributes(
        stack, "Imported", application_id="00abc", application_name="shared"
    )
    with pytest.raises(ValueError, match=r"has no known execution role\. Fix: import it with execution_role="):
        EmrServerlessJob(stack, "Job", application=imported, spec=ServerlessJobSpec.model_validate(HIVE_JOB))
