"""``emr-constructs submit`` and ``status`` for EMR Serverless applications, offline.

botocore's Stubber answers every call (moto has no EMR Serverless GetApplication with the fields used here), each
response checked against botocore's model by ``ModelStubber``; no request leaves the machine."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest

from emr_constructs.cli import main
from emr_constructs.operations import (
    APPLICATION_ID_OUTPUT,
    EXECUTION_ROLE_ARN_OUTPUT,
    LOG_URI_OUTPUT,
    clients,
    serverless,
)
from emr_constructs.operations.clients import make_client
from tests.cli.model_check import ModelStubber

REGION = "eu-west-1"
APP = "00fabcdexample12"
RUN = "00fjobrunexample1"
ROLE = "arn:aws:iam::123456789012:role/emr-serverless-runtime"
SCRIPT = "s3://jobs-bucket/jobs/etl.py"
STACK = "emr-dev-serverless"
LOGS = "s3://emr-logs-bucket/emr-serverless/spark/"
APP_ARN = f"arn:aws:emr-serverless:{REGION}:123456789012:/applications/{APP}"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  ")


class Factory:
    """Replaces ``clients.client_factory``: a model-checked Stubber per service, no other client."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.clients: dict[str, Any] = {}
        self.stubbers: list[ModelStubber] = []

    def __call__(self, service: str, region: str | None) -> Any:
        self.calls.append((service, region))
        return self.clients[service]

    def stub(self, service: str) -> ModelStubber:
        client = make_client(service, REGION)
        stubber = ModelStubber(client)
        stubber.activate()
        self.clients[service] = client
        self.stubbers.append(stubber)
        return stubber


@pytest.fixture
def factory(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Factory]:
    fake = Factory()
    monkeypatch.setattr(clients, "client_factory", fake)
    yield fake
    for stubber in fake.stubbers:
        stubber.assert_no_pending_responses()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(serverless, "sleep", recorded.append)
    return recorded


def _application(**fields: Any) -> dict[str, Any]:
    application = {
        "applicationId": APP,
        "name": "spark-serverless",
        "arn": APP_ARN,
        "releaseLabel": "emr-7.12.0",
        "type": "Spark",
        "state": "STARTED",
        "createdAt": T0,
        "updatedAt": T0,
        "architecture": "ARM64",
        "autoStartConfiguration": {"enabled": True},
        "autoStopConfiguration": {"enabled": True, "idleTimeoutMinutes": 15},
        "maximumCapacity": {"cpu": "32 vCPU", "memory": "128 GB", "disk": "400 GB"},
    }
    application.update(fields)
    return application


def _job_run(state: str, details: str, **fields: Any) -> dict[str, Any]:
    job_run = {
        "applicationId": APP,
        "jobRunId": RUN,
        "name": "nightly",
        "arn": f"{APP_ARN}/jobruns/{RUN}",
        "createdBy": "arn:aws:iam::123456789012:user/dev",
        "createdAt": T0,
        "updatedAt": T0,
        "executionRole": ROLE,
        "state": state,
        "stateDetails": details,
        "releaseLabel": "emr-7.12.0",
        "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}},
    }
    job_run.update(fields)
    return job_run


def _stack(factory: Factory, outputs: dict[str, str]) -> None:
    factory.stub("cloudformation").add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": STACK,
                    "CreationTime": T0,
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()],
                }
            ]
        },
        {"StackName": STACK},
    )


def _start(stubber: ModelStubber, request: dict[str, Any], application: dict[str, Any] | None = None) -> None:
    stubber.add_response("get_application", {"application": application or _application()}, {"applicationId": APP})
    response = {"applicationId": APP, "jobRunId": RUN, "arn": f"{APP_ARN}/jobruns/{RUN}"}
    # botocore adds the idempotency clientToken after the Stubber has compared the parameters.
    stubber.add_response("start_job_run", response, {"applicationId": APP, **request})


# --- the stack contract ------------------------------------------------------------------------------------------


def test_output_names_are_the_stack_contract() -> None:
    assert (APPLICATION_ID_OUTPUT, EXECUTION_ROLE_ARN_OUTPUT, LOG_URI_OUTPUT) == (
        "ApplicationId",
        "ExecutionRoleArn",
        "LogUri",
    )


def test_application_id_check_reads_botocores_shape() -> None:
    model = botocore.session.get_session().get_service_model("emr-serverless").shape_for("ApplicationId").metadata
    assert serverless.application_id(APP) == APP
    for bad in ("", "00FABC", "00fab-c", "a" * (model["max"] + 1)):
        with pytest.raises(Exception, match=re.escape(model["pattern"])):
            serverless.application_id(bad)


# --- submit --------------------------------------------------------------------------------------------------------


def test_submit_by_application_id_starts_a_spark_job_run(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    _start(
        factory.stub("emr-serverless"),
        {
            "executionRoleArn": ROLE,
            "name": "nightly",
            "jobDriver": {
                "sparkSubmit": {
                    "entryPoint": SCRIPT,
                    "entryPointArguments": ["--date=2025-03-01", "s3://out/"],
                    "sparkSubmitParameters": "--class com.example.Etl --conf spark.sql.shuffle.partitions=400",
                }
            },
            "configurationOverrides": {"monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": LOGS}}},
            "executionTimeoutMinutes": 120,
        },
    )
    code = main(
        [
            "submit",
            "--application-id",
            APP,
            "--execution-role",
            ROLE,
            "--spark",
            SCRIPT,
            "--arg=--date=2025-03-01",
            "--arg",
            "s3://out/",
            "--conf",
            "spark.sql.shuffle.partitions=400",
            "--main-class",
            "com.example.Etl",
            "--name",
            "nightly",
            "--execution-timeout-minutes",
            "120",
            "--log-uri",
            LOGS,
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out == f"{RUN}\n", "the job run id alone on stdout"
    assert captured.err == f"started job run {RUN} (nightly) on serverless application {APP}\n"
    assert factory.calls == [("emr-serverless", None)], "no CloudFormation call without --stack"


def test_submit_by_stack_uses_its_role_and_inherits_the_application_logs(
    factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack's LogUri is the application's own S3 log setting, with its key: a job-level logUri without the
    key would replace it, so the run inherits the application's instead."""
    _stack(factory, {APPLICATION_ID_OUTPUT: APP, EXECUTION_ROLE_ARN_OUTPUT: ROLE, LOG_URI_OUTPUT: LOGS})
    _start(
        factory.stub("emr-serverless"),
        {"executionRoleArn": ROLE, "name": "spark: etl.py", "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}}},
    )
    assert main(["submit", "--stack", STACK, "--region", REGION, "--spark", SCRIPT]) == 0
    assert capsys.readouterr().out == f"{RUN}\n"
    assert factory.calls == [("cloudformation", REGION), ("emr-serverless", REGION)]


def test_submit_options_win_over_the_stack_outputs(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    other_role, other_logs = "arn:aws:iam::123456789012:role/other", "s3://other-logs/x/"
    _stack(factory, {"ClusterId": "j-2AXXXXXXGAPLF", APPLICATION_ID_OUTPUT: APP, EXECUTION_ROLE_ARN_OUTPUT: ROLE})
    _start(
        factory.stub("emr-serverless"),
        {
            "executionRoleArn": other_role,
            "name": "spark: etl.py",
            "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}},
            "configurationOverrides": {
                "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": other_logs}}
            },
        },
    )
    argv = ["submit", "--stack", STACK, "--spark", SCRIPT, "--execution-role", other_role, "--log-uri", other_logs]
    assert main(argv) == 0, "a stack with ApplicationId is a Serverless target, even with a ClusterId"


def test_wait_follows_the_job_run_until_success(
    factory: Factory, sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = factory.stub("emr-serverless")
    _start(
        stubber,
        {"executionRoleArn": ROLE, "name": "spark: etl.py", "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}}},
    )
    states = [
        ("SCHEDULED", "Job run is scheduled"),
        ("RUNNING", "Job run is running"),
        ("RUNNING", "Job run is running"),
    ]
    for state, details in states:
        stubber.add_response(
            "get_job_run", {"jobRun": _job_run(state, details)}, {"applicationId": APP, "jobRunId": RUN}
        )
    ended = _job_run(
        "SUCCESS",
        "Job run completed",
        endedAt=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
        billedResourceUtilization={"vCPUHour": 2.5, "memoryGBHour": 10.0, "storageGBHour": 0.0},
    )
    stubber.add_response("get_job_run", {"jobRun": ended}, {"applicationId": APP, "jobRunId": RUN})
    argv = ["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT, "--wait"]
    assert main([*argv, "--poll-seconds", "5"]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{RUN}\n"
    lines = captured.err.splitlines()
    assert [STAMP.sub("", line) for line in lines[1:4]] == [
        f"{RUN}  SCHEDULED  (Job run is scheduled)",
        f"{RUN}  RUNNING  (Job run is running)",
        f"{RUN}  SUCCESS  (Job run completed)",
    ], "one line per state change"
    assert (
        lines[4]
        == f"job run {RUN} SUCCESS at 2025-03-01 12:30:00Z; billed 2.5 vCPUHour, 10 memoryGBHour, 0 storageGBHour"
    )
    assert sleeps == [5, 5, 5]


def test_fails_wait_prints_the_s3_prefix_and_the_cloudwatch_group(
    factory: Factory, sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = factory.stub("emr-serverless")
    application = _application(
        monitoringConfiguration={"cloudWatchLoggingConfiguration": {"enabled": True, "logGroupName": "/emr/spark"}}
    )
    _start(
        stubber,
        {
            "executionRoleArn": ROLE,
            "name": "spark: etl.py",
            "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}},
            "configurationOverrides": {"monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": LOGS}}},
        },
        application,
    )
    overrides = {
        "monitoringConfiguration": {
            "s3MonitoringConfiguration": {"logUri": LOGS},
            "cloudWatchLoggingConfiguration": {"enabled": True, "logStreamNamePrefix": "nightly"},
        }
    }
    failed = _job_run(
        "FAILED",
        "Job failed, please check complete logs in configured logging destination.",
        configurationOverrides=overrides,
    )
    stubber.add_response("get_job_run", {"jobRun": failed}, {"applicationId": APP, "jobRunId": RUN})
    argv = ["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT, "--log-uri", LOGS, "--wait"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"error: job run {RUN} FAILED\n" in err
    assert "  details: Job failed, please check complete logs in configured logging destination.\n" in err
    assert f"  logs: S3 {LOGS}applications/{APP}/jobs/{RUN}/ (driver: SPARK_DRIVER/stderr.gz, stdout.gz)\n" in err
    # The job run's CloudWatch setting over the application's: its group, the job's stream prefix.
    assert f"  logs: CloudWatch Logs group /emr/spark, streams nightly/applications/{APP}/jobs/{RUN}/\n" in err
    assert sleeps == []


def test_fails_wait_cancelled_without_logging_and_a_retried_attempt(
    factory: Factory, sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = factory.stub("emr-serverless")
    _start(
        stubber,
        {"executionRoleArn": ROLE, "name": "spark: etl.py", "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}}},
    )
    cancelled = _job_run("CANCELLED", "Job run cancelled by user", attempt=2)
    stubber.add_response("get_job_run", {"jobRun": cancelled}, {"applicationId": APP, "jobRunId": RUN})
    assert main(["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT, "--wait"]) == 1
    err = capsys.readouterr().err
    assert f"error: job run {RUN} CANCELLED\n" in err
    assert "  logs: no S3 or CloudWatch logging configured; open the application UI in EMR Studio\n" in err


def test_log_locations_default_group_and_attempt() -> None:
    job_run = _job_run("FAILED", "x", attempt=3)
    application = _application(
        monitoringConfiguration={
            "s3MonitoringConfiguration": {"logUri": "s3://logs/app"},
            "cloudWatchLoggingConfiguration": {"enabled": True},
        }
    )
    assert serverless.log_locations(job_run, application) == [
        f"S3 s3://logs/app/applications/{APP}/jobs/{RUN}/ (this attempt under attempts/3/) "
        "(driver: SPARK_DRIVER/stderr.gz, stdout.gz)",
        f"CloudWatch Logs group /aws/emr-serverless, streams /applications/{APP}/jobs/{RUN}/ "
        "(this attempt under attempts/3/)",
    ]


def test_fails_wait_keeps_the_job_run_id_when_aws_fails_later(
    factory: Factory, sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = factory.stub("emr-serverless")
    _start(
        stubber,
        {"executionRoleArn": ROLE, "name": "spark: etl.py", "jobDriver": {"sparkSubmit": {"entryPoint": SCRIPT}}},
    )
    stubber.add_client_error("get_job_run", service_error_code="ThrottlingException", service_message="Rate exceeded")
    assert main(["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT, "--wait"]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"{RUN}\n"
    assert f"note: job run {RUN} was started; follow it with: emr-constructs status --application-id {APP}\n" in (
        captured.err
    )
    assert "error: AWS kept throttling GetJobRun" in captured.err


@pytest.mark.parametrize(
    ("application", "message"),
    [
        ({"state": "TERMINATED"}, f"serverless application {APP} is TERMINATED: it accepts no job runs"),
        (
            {"state": "STOPPED", "autoStartConfiguration": {"enabled": False}},
            f"serverless application {APP} is STOPPED and auto-start is off: start it first "
            f"(aws emr-serverless start-application --application-id {APP})",
        ),
        ({"type": "Hive"}, f"serverless application {APP} is a Hive application: submit sends Spark jobs"),
    ],
)
def test_fails_submit_to_an_application_that_takes_no_spark_job(
    application: dict[str, Any], message: str, factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    stubber = factory.stub("emr-serverless")
    stubber.add_response("get_application", {"application": _application(**application)}, {"applicationId": APP})
    assert main(["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT]) == 1
    assert capsys.readouterr().err == f"error: {message}\n"


def test_fails_submit_unknown_application(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    factory.stub("emr-serverless").add_client_error(
        "get_application",
        service_error_code="ResourceNotFoundException",
        service_message=f"Application {APP} does not exist",
        http_status_code=404,
    )
    assert main(["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT]) == 1
    assert capsys.readouterr().err == (
        f"error: serverless application {APP} not found in {REGION}: Application {APP} does not exist "
        "(check the id and --region)\n"
    )


def test_fails_stack_without_a_role_exit_2(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    _stack(factory, {APPLICATION_ID_OUTPUT: APP, LOG_URI_OUTPUT: LOGS})
    assert main(["submit", "--stack", STACK, "--spark", SCRIPT]) == 2
    assert capsys.readouterr().err == (
        f"error: stack {STACK} has no {EXECUTION_ROLE_ARN_OUTPUT} output: give --execution-role ARN\n"
    )
    assert factory.calls == [("cloudformation", None)]


def test_fails_serverless_option_on_a_cluster_stack_exit_2(
    factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    _stack(factory, {"ClusterId": "j-2AXXXXXXGAPLF"})
    assert main(["submit", "--stack", STACK, "--spark", SCRIPT, "--execution-timeout-minutes", "30"]) == 2
    assert capsys.readouterr().err == (
        "error: --execution-timeout-minutes applies to Serverless job runs, not to cluster steps\n"
    )


def test_fails_cluster_option_on_a_serverless_stack_exit_2(
    factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    _stack(factory, {APPLICATION_ID_OUTPUT: APP, EXECUTION_ROLE_ARN_OUTPUT: ROLE})
    assert main(["submit", "--stack", STACK, "--spark", SCRIPT, "--action-on-failure", "CONTINUE"]) == 2
    assert "--action-on-failure applies to cluster steps" in capsys.readouterr().err


def test_fails_stack_with_a_malformed_application_id(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    _stack(factory, {APPLICATION_ID_OUTPUT: "Not-An-Id"})
    assert main(["status", "--stack", STACK]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: stack {STACK}: output ApplicationId: 'Not-An-Id' is not an EMR Serverless")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["submit", "--application-id", "00FAB", "--spark", SCRIPT], "is not an EMR Serverless application id"),
        (["submit", "--application-id", APP, "--spark", SCRIPT], "--application-id needs --execution-role ARN"),
        (
            [
                "submit",
                "--application-id",
                APP,
                "--execution-role",
                ROLE,
                "--spark",
                SCRIPT,
                "--action-on-failure",
                "CONTINUE",
            ],
            "--action-on-failure applies to cluster steps",
        ),
        (
            [
                "submit",
                "--application-id",
                APP,
                "--execution-role",
                ROLE,
                "--spark",
                SCRIPT,
                "--conf",
                "spark.driver.extraJavaOptions=-Da=1 -Db=2",
            ],
            "split at whitespace",
        ),
        (
            [
                "submit",
                "--application-id",
                APP,
                "--execution-role",
                ROLE,
                "--spark",
                SCRIPT,
                "--execution-timeout-minutes",
                "1000001",
            ],
            "is not a whole number of minutes, 0..1000000",
        ),
        (
            ["submit", "--application-id", APP, "--execution-role", ROLE, "--spark", SCRIPT, "--log-uri", "logs/x"],
            "is not an S3 location",
        ),
        (
            ["submit", "--cluster-id", "j-2AXXXXXXGAPLF", "--spark", SCRIPT, "--log-uri", LOGS],
            "--log-uri applies to Serverless job runs",
        ),
        (["submit", "--application-id", APP, "--cluster-id", "j-2AXXXXXXGAPLF", "--spark", SCRIPT], "not allowed"),
        (["status", "--application-id", "00fab_c"], "is not an EMR Serverless application id"),
    ],
)
def test_fails_usage_errors_exit_2_without_calling_aws(
    argv: list[str], message: str, factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: emr-constructs {argv[0]} ")
    assert message in err
    assert factory.calls == []


# --- status --------------------------------------------------------------------------------------------------------


def _summary(run_id: str, state: str, created: datetime, name: str) -> dict[str, Any]:
    return {
        "applicationId": APP,
        "id": run_id,
        "name": name,
        "arn": f"{APP_ARN}/jobruns/{run_id}",
        "createdBy": "arn:aws:iam::123456789012:user/dev",
        "createdAt": created,
        "updatedAt": created,
        "executionRole": ROLE,
        "state": state,
        "stateDetails": "Job run state",
        "releaseLabel": "emr-7.12.0",
    }


def test_status_of_an_application(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    stubber = factory.stub("emr-serverless")
    application = _application(
        initialCapacity={
            "Driver": {"workerCount": 1, "workerConfiguration": {"cpu": "4 vCPU", "memory": "16 GB"}},
            "Executor": {
                "workerCount": 4,
                "workerConfiguration": {"cpu": "4 vCPU", "memory": "16 GB", "disk": "100 GB"},
            },
        },
        monitoringConfiguration={"s3MonitoringConfiguration": {"logUri": LOGS}},
    )
    stubber.add_response("get_application", {"application": application}, {"applicationId": APP})
    runs = [
        _summary("00fnewer000001", "RUNNING", datetime(2025, 3, 2, 4, 0, tzinfo=UTC), "nightly"),
        _summary("00folder000001", "SUCCESS", datetime(2025, 3, 1, 4, 0, tzinfo=UTC), "nightly"),
    ]
    stubber.add_response("list_job_runs", {"jobRuns": runs}, {"applicationId": APP})
    assert main(["status", "--application-id", APP, "--job-runs", "5"]) == 0
    assert capsys.readouterr().out == (
        f"serverless application {APP} (spark-serverless) in {REGION}\n"
        "  state: STARTED\n"
        "  release: emr-7.12.0\n"
        "  type: Spark, architecture: ARM64\n"
        "  maximum capacity: 32 vCPU, 128 GB, 400 GB\n"
        "  initial capacity: Driver 1 x (4 vCPU, 16 GB); Executor 4 x (4 vCPU, 16 GB, 100 GB)\n"
        "  auto-start: on\n"
        "  auto-stop: after 15 min idle\n"
        f"  logs: S3 {LOGS}applications/{APP}/jobs/<jobRunId>/ (driver: SPARK_DRIVER/stderr.gz, stdout.gz)\n"
        "\n"
        "recent job runs (newest first, up to 5)\n"
        "  id              name     state    created\n"
        "  00fnewer000001  nightly  RUNNING  2025-03-02 04:00:00Z\n"
        "  00folder000001  nightly  SUCCESS  2025-03-01 04:00:00Z\n"
    )


def test_status_by_stack_without_job_runs_listed(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    _stack(factory, {APPLICATION_ID_OUTPUT: APP, EXECUTION_ROLE_ARN_OUTPUT: ROLE, LOG_URI_OUTPUT: LOGS})
    application = _application(
        state="STOPPED", autoStopConfiguration={"enabled": False}, architecture="X86_64", maximumCapacity=None
    )
    del application["maximumCapacity"]
    factory.stub("emr-serverless").add_response("get_application", {"application": application}, {"applicationId": APP})
    assert main(["status", "--stack", STACK, "--steps", "0"]) == 0
    out = capsys.readouterr().out
    assert "  state: STOPPED\n" in out and "  type: Spark, architecture: X86_64\n" in out
    assert "  maximum capacity: none\n" in out and "  auto-stop: off\n" in out
    assert "  logs: none configured on the application (job runs may set their own)\n" in out
    assert "recent job runs" not in out and "no job runs" not in out


def test_status_with_no_job_runs(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    stubber = factory.stub("emr-serverless")
    stubber.add_response("get_application", {"application": _application()}, {"applicationId": APP})
    stubber.add_response("list_job_runs", {"jobRuns": []}, {"applicationId": APP})
    assert main(["status", "--application-id", APP]) == 0
    assert capsys.readouterr().out.endswith("\nno job runs\n")


def test_the_model_check_rejects_what_aws_would_never_answer(factory: Factory) -> None:
    stubber = factory.stub("emr-serverless")
    bad = _application(state="RUNNING", arn="arn:aws:emr-serverless:short", surprise=1)
    with pytest.raises(AssertionError) as info:
        stubber.add_response("get_application", {"application": bad})
    message = str(info.value)
    assert "response.application.state: 'RUNNING' is not one of" in message
    assert "response.application.arn: length 28 is out of 60..1024" in message
    assert "response.application.surprise: not in the model" in message
