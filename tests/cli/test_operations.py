"""``emr-constructs submit`` and ``status`` against boto3, offline.

moto serves the EMR calls it implements (RunJobFlow, DescribeCluster, AddJobFlowSteps, ListSteps, DescribeStep,
ListInstanceGroups, TerminateJobFlows). botocore's Stubber serves the rest: ListInstanceFleets,
GetManagedScalingPolicy and GetAutoTerminationPolicy (not implemented by moto 5.2), a step that FAILS with
FailureDetails (moto never advances a step), and CloudFormation DescribeStacks (moto's CloudFormation backend needs
the ``moto[cloudformation]`` extra, which the dev dependencies do not install). Throttling retries are proven at the
HTTP layer, below botocore's retry handler: a Stubber answers before that handler, so it cannot show retries.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.emr.models import emr_backends

from emr_constructs.cli import main
from emr_constructs.operations import clients, steps
from emr_constructs.operations.clients import NO_CREDENTIALS, make_client

REGION = "eu-west-1"
SCRIPT = "s3://jobs-bucket/jobs/etl.py"
ROLE = "arn:aws:iam::123456789012:role/emr-runtime-etl"
STACK = "emr-dev-analytics"
FLEET_CLUSTER = "j-2AXXXXXXGAPLF"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  ")
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
POLICY_READS = {"get_managed_scaling_policy", "get_auto_termination_policy"}


class Factory:
    """Replaces ``clients.client_factory``: moto-backed clients unless a service has a stubbed one."""

    def __init__(self) -> None:
        self.max_retries = clients.MAX_RETRIES
        self.stubbed: dict[str, Any] = {}
        self.calls: list[tuple[str, str | None]] = []
        self.stubbers: list[Stubber] = []

    def __call__(self, service: str, region: str | None) -> Any:
        self.calls.append((service, region))
        if service in self.stubbed:
            return self.stubbed[service]
        return make_client(service, region, max_retries=self.max_retries)

    def route_policy_reads(self) -> Stubber:
        """moto serves EMR, except the two policy reads it lacks: a Stubber answers those."""
        moto_client = make_client("emr", REGION)
        stubber = self.stub("emr")
        self.stubbed["emr"] = Routed(moto_client, self.stubbed["emr"], POLICY_READS)
        return stubber

    def stub(self, service: str) -> Stubber:
        """A Stubber on a real client of ``service``: unexpected calls fail, none reaches the network."""
        client = make_client(service, REGION, max_retries=self.max_retries)
        stubber = Stubber(client)
        stubber.activate()
        self.stubbed[service] = client
        self.stubbers.append(stubber)
        return stubber


class Routed:
    """A moto-backed client whose listed operations go to a Stubber'd client instead."""

    def __init__(self, moto_client: Any, stubbed_client: Any, operations: set[str]) -> None:
        self._moto, self._stubbed, self._operations = moto_client, stubbed_client, operations

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stubbed if name in self._operations else self._moto, name)


@pytest.fixture
def factory(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Factory]:
    fake = Factory()
    monkeypatch.setattr(clients, "client_factory", fake)
    yield fake
    for stubber in fake.stubbers:
        stubber.assert_no_pending_responses()


@pytest.fixture
def moto(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between polls, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(steps, "sleep", recorded.append)
    return recorded


def _cluster(*, log_uri: str = "s3n://emr-logs/analytics/") -> str:
    """A moto cluster with instance groups, kept alive without steps."""
    emr = make_client("emr", REGION)
    response = emr.run_job_flow(
        Name="analytics",
        ReleaseLabel="emr-7.12.0",
        LogUri=log_uri,
        Applications=[{"Name": "Spark"}, {"Name": "Hadoop"}],
        Instances={
            "InstanceGroups": [
                {"Name": "Primary", "InstanceRole": "MASTER", "InstanceType": "m7g.xlarge", "InstanceCount": 1},
                {"Name": "Core", "InstanceRole": "CORE", "InstanceType": "r7g.2xlarge", "InstanceCount": 2},
            ],
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )
    return str(response["JobFlowId"])


def _moto_steps(cluster_id: str) -> list[Any]:
    return list(emr_backends[DEFAULT_ACCOUNT_ID][REGION].clusters[cluster_id].steps)


def _submit(*extra: str, target: tuple[str, ...]) -> int:
    return main(["submit", *target, "--spark", SCRIPT, *extra])


# --- submit ----------------------------------------------------------------------------------------------------------


def test_submit_by_cluster_id_adds_a_spark_step_and_prints_its_id(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster_id = _cluster()
    code = _submit(
        "--arg=--date=2025-03-01",  # the documented form for an argument that starts with -
        "--arg",
        "s3://data/out/",
        "--conf",
        "spark.sql.shuffle.partitions=400",
        "--conf",
        "spark.executor.extraJavaOptions=-Da=b",
        "--name",
        "nightly etl",
        "--action-on-failure",
        "CANCEL_AND_WAIT",
        target=("--cluster-id", cluster_id),
    )
    captured = capsys.readouterr()
    assert code == 0
    (step,) = _moto_steps(cluster_id)
    assert captured.out == f"{step.id}\n", "stdout holds the step id alone, for scripts"
    assert f"added step {step.id} (nightly etl) to cluster {cluster_id}" in captured.err
    described = make_client("emr", REGION).describe_step(ClusterId=cluster_id, StepId=step.id)["Step"]
    assert described["Name"] == "nightly etl"
    assert described["ActionOnFailure"] == "CANCEL_AND_WAIT"
    assert described["Config"]["Jar"] == "command-runner.jar"
    assert described["Config"]["Args"] == [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        "--conf",
        "spark.executor.extraJavaOptions=-Da=b",
        "--conf",
        "spark.sql.shuffle.partitions=400",
        SCRIPT,
        "--date=2025-03-01",
        "s3://data/out/",
    ]
    assert factory.calls == [("emr", None)], "no CloudFormation call without --stack; region from the environment"


def test_submit_defaults_name_and_action_and_sends_no_execution_role(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster_id = _cluster()
    requests = _capture_add_steps(factory)
    assert _submit(target=("--cluster-id", cluster_id)) == 0
    (request,) = requests
    assert "ExecutionRoleArn" not in request
    assert request["Steps"] == [
        {
            "Name": "spark: etl.py",
            "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": ["spark-submit", "--deploy-mode", "cluster", SCRIPT],
            },
        }
    ]


def _capture_add_steps(factory: Factory) -> list[dict[str, Any]]:
    """Record the AddJobFlowSteps parameters of the moto-backed EMR client the command gets."""
    requests: list[dict[str, Any]] = []
    client = make_client("emr", REGION)
    client.meta.events.register(
        "provide-client-params.emr.AddJobFlowSteps", lambda params, **_: requests.append(dict(params))
    )
    factory.stubbed["emr"] = client
    return requests


def test_submit_execution_role_is_passed_as_execution_role_arn(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster_id = _cluster()
    requests = _capture_add_steps(factory)
    assert _submit("--execution-role", ROLE, target=("--cluster-id", cluster_id)) == 0
    (request,) = requests
    assert request["ExecutionRoleArn"] == ROLE
    assert request["JobFlowId"] == cluster_id


def test_submit_main_class_for_a_jar(factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]) -> None:
    cluster_id = _cluster()
    requests = _capture_add_steps(factory)
    jar = "s3://jobs-bucket/jobs/etl.jar"
    assert main(["submit", "--cluster-id", cluster_id, "--spark", jar, "--main-class", "com.example.Etl"]) == 0
    args = requests[0]["Steps"][0]["HadoopJarStep"]["Args"]
    assert args == ["spark-submit", "--deploy-mode", "cluster", "--class", "com.example.Etl", jar]


def _stack_outputs(factory: Factory, outputs: dict[str, str], status: str = "CREATE_COMPLETE") -> None:
    factory.stub("cloudformation").add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": STACK,
                    "CreationTime": T0,
                    "StackStatus": status,
                    "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()],
                }
            ]
        },
        {"StackName": STACK},
    )


def test_submit_by_stack_reads_the_cluster_id_output(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster_id = _cluster()
    _stack_outputs(factory, {"LogUri": "s3://emr-logs/analytics/", "ClusterId": cluster_id})
    assert _submit(target=("--stack", STACK, "--region", REGION)) == 0
    (step,) = _moto_steps(cluster_id)
    assert capsys.readouterr().out == f"{step.id}\n"
    assert factory.calls == [("cloudformation", REGION), ("emr", REGION)]


def test_fails_submit_unknown_stack(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    factory.stub("cloudformation").add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id nope does not exist",
        expected_params={"StackName": "nope"},
    )
    assert main(["submit", "--stack", "nope", "--spark", SCRIPT]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"error: stack nope does not exist in {REGION}: check the name and --region\n"
    assert captured.out == ""


def test_fails_stack_without_cluster_id_output(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    _stack_outputs(factory, {"LogUri": "s3://emr-logs/", "DataBucket": "data"})
    assert main(["status", "--stack", STACK]) == 1
    assert capsys.readouterr().err == (
        f"error: stack {STACK} (CREATE_COMPLETE) has no ClusterId output (its outputs: DataBucket, LogUri); "
        "give the stack of a cluster, or --cluster-id\n"
    )


def test_fails_submit_unknown_cluster(factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert _submit(target=("--cluster-id", "j-NOSUCHCLUSTER")) == 1
    assert capsys.readouterr().err == (
        f"error: cluster j-NOSUCHCLUSTER not found in {REGION}: Cluster id 'j-NOSUCHCLUSTER' is not valid. "
        "(check the id and --region)\n"
    )


def test_fails_submit_to_a_terminated_cluster(factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]) -> None:
    cluster_id = _cluster()
    make_client("emr", REGION).terminate_job_flows(JobFlowIds=[cluster_id])
    assert _submit(target=("--cluster-id", cluster_id)) == 1
    assert capsys.readouterr().err == f"error: cluster {cluster_id} is TERMINATED: it accepts no new steps\n"
    assert _moto_steps(cluster_id) == []


# --- submit --wait ---------------------------------------------------------------------------------------------------


def test_wait_follows_the_step_until_completed(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster_id = _cluster()
    slept: list[float] = []

    def advance(seconds: float) -> None:  # moto never moves a step on: do it between polls
        slept.append(seconds)
        if len(slept) == 3:
            (step,) = _moto_steps(cluster_id)
            step.state = "COMPLETED"
            step.end_date_time = T0

    monkeypatch.setattr(steps, "sleep", advance)
    assert _submit("--wait", "--poll-seconds", "7", target=("--cluster-id", cluster_id)) == 0
    captured = capsys.readouterr()
    (step,) = _moto_steps(cluster_id)
    assert captured.out == f"{step.id}\n"
    assert slept == [7, 7, 7], "--poll-seconds between DescribeStep calls; no real waiting"
    progress = [line for line in captured.err.splitlines() if STAMP.match(line)]
    assert [line.split()[-1] for line in progress] == ["RUNNING", "COMPLETED"], "state changes only"
    assert all(f"  {step.id}  " in line for line in progress)
    assert captured.err.endswith(f"step {step.id} COMPLETED at 2025-03-01 12:00:00Z\n")


def _step(step_id: str, state: str, **status: Any) -> dict[str, Any]:
    return {
        "Step": {
            "Id": step_id,
            "Name": "spark: etl.py",
            "Config": {"Jar": "command-runner.jar", "Args": []},
            "ActionOnFailure": "CONTINUE",
            "Status": {"State": state, "Timeline": {"CreationDateTime": T0}, **status},
        }
    }


def _stubbed_cluster(stubber: Stubber, cluster_id: str, *, state: str = "WAITING", **fields: Any) -> None:
    cluster = {"Id": cluster_id, "Name": "analytics", "Status": {"State": state}, **fields}
    stubber.add_response("describe_cluster", {"Cluster": cluster}, {"ClusterId": cluster_id})


def test_fails_wait_when_the_step_fails_with_reason_message_and_log_file(
    factory: Factory, sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    emr = factory.stub("emr")
    step_id, log_file = "s-1FAILED", f"s3://emr-logs/analytics/{FLEET_CLUSTER}/steps/s-1FAILED/stderr.gz"
    _stubbed_cluster(emr, FLEET_CLUSTER, LogUri="s3n://emr-logs/analytics/")
    expected_add = {
        "JobFlowId": FLEET_CLUSTER,
        "ExecutionRoleArn": ROLE,
        "Steps": [
            {
                "Name": "spark: etl.py",
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {
                    "Jar": "command-runner.jar",
                    "Args": ["spark-submit", "--deploy-mode", "cluster", SCRIPT, "--full"],
                },
            }
        ],
    }
    emr.add_response("add_job_flow_steps", {"StepIds": [step_id]}, expected_add)
    for state in ("PENDING", "RUNNING", "RUNNING"):
        emr.add_response("describe_step", _step(step_id, state), {"ClusterId": FLEET_CLUSTER, "StepId": step_id})
    failure = {
        "Reason": "Unknown Error.",
        "Message": "org.apache.spark.SparkException: Application application_1_0001 finished with failed status",
        "LogFile": log_file,
    }
    emr.add_response(
        "describe_step",
        _step(step_id, "FAILED", FailureDetails=failure),
        {"ClusterId": FLEET_CLUSTER, "StepId": step_id},
    )
    code = _submit(
        "--execution-role", ROLE, "--arg=--full", "--wait", "--poll-seconds", "5",
        target=("--cluster-id", FLEET_CLUSTER),
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == f"{step_id}\n"
    assert sleeps == [5, 5, 5]
    progress = [line.split()[-1] for line in captured.err.splitlines() if STAMP.match(line)]
    assert progress == ["PENDING", "RUNNING", "FAILED"]
    assert f"error: step {step_id} FAILED\n" in captured.err
    assert "  reason: Unknown Error.\n" in captured.err
    assert f"  message: {failure['Message']}\n" in captured.err
    assert f"  logs: {log_file} " in captured.err


def test_fails_wait_prints_the_cluster_log_uri_location_without_log_file(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster_id = _cluster(log_uri="s3n://emr-logs/analytics/")

    def interrupt(seconds: float) -> None:
        (step,) = _moto_steps(cluster_id)
        step.state = "INTERRUPTED"

    monkeypatch.setattr(steps, "sleep", interrupt)
    assert _submit("--wait", target=("--cluster-id", cluster_id)) == 1
    err = capsys.readouterr().err
    (step,) = _moto_steps(cluster_id)
    assert f"error: step {step.id} INTERRUPTED\n" in err
    assert f"  logs: s3://emr-logs/analytics/{cluster_id}/steps/{step.id}/ " in err


@pytest.mark.parametrize(
    ("failure", "log_uri", "expected"),
    [
        ({"LogFile": "s3://logs/j-1/steps/s-1/stderr.gz"}, "s3n://other/", "s3://logs/j-1/steps/s-1/stderr.gz"),
        ({}, "s3n://emr-logs/analytics/", "s3://emr-logs/analytics/j-1/steps/s-1/"),
        ({"Reason": "Unknown"}, "s3://emr-logs", "s3://emr-logs/j-1/steps/s-1/"),
        ({}, None, None),
    ],
)
def test_log_location(failure: dict[str, str], log_uri: str | None, expected: str | None) -> None:
    step: Any = {"Id": "s-1", "Status": {"State": "FAILED", "FailureDetails": failure}}
    assert steps.log_location(step, log_uri, "j-1") == expected


def test_wait_interrupted_by_the_user_leaves_the_step_running(
    factory: Factory, moto: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster_id = _cluster()

    def ctrl_c(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(steps, "sleep", ctrl_c)
    assert _submit("--wait", target=("--cluster-id", cluster_id)) == 130
    (step,) = _moto_steps(cluster_id)
    assert f"stopped waiting; step {step.id} keeps running on cluster {cluster_id}" in capsys.readouterr().err


# --- status ----------------------------------------------------------------------------------------------------------


def test_status_of_a_fleet_cluster(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    emr = factory.stub("emr")
    _stubbed_cluster(
        emr,
        FLEET_CLUSTER,
        state="RUNNING",
        InstanceCollectionType="INSTANCE_FLEET",
        ReleaseLabel="emr-7.12.0",
        LogUri="s3n://emr-logs/analytics/",
        Applications=[{"Name": "Spark", "Version": "3.5.5"}, {"Name": "Hadoop", "Version": "3.4.1"}],
    )
    fleets = [
        {
            "Id": "if-1",
            "Name": "Primary",
            "InstanceFleetType": "MASTER",
            "Status": {"State": "RUNNING"},
            "TargetOnDemandCapacity": 1,
            "ProvisionedOnDemandCapacity": 1,
            "TargetSpotCapacity": 0,
            "ProvisionedSpotCapacity": 0,
            "InstanceTypeSpecifications": [{"InstanceType": "m7g.xlarge"}],
        },
        {
            "Id": "if-2",
            "Name": "Core",
            "InstanceFleetType": "CORE",
            "Status": {"State": "RESIZING"},
            "TargetOnDemandCapacity": 4,
            "ProvisionedOnDemandCapacity": 4,
            "TargetSpotCapacity": 8,
            "ProvisionedSpotCapacity": 6,
            "InstanceTypeSpecifications": [{"InstanceType": "r7g.2xlarge"}, {"InstanceType": "r6g.2xlarge"}],
        },
    ]
    emr.add_response("list_instance_fleets", {"InstanceFleets": fleets}, {"ClusterId": FLEET_CLUSTER})
    limits = {
        "UnitType": "InstanceFleetUnits",
        "MinimumCapacityUnits": 6,
        "MaximumCapacityUnits": 40,
        "MaximumOnDemandCapacityUnits": 10,
        "MaximumCoreCapacityUnits": 20,
    }
    emr.add_response(
        "get_managed_scaling_policy",
        {"ManagedScalingPolicy": {"ComputeLimits": limits}},
        {"ClusterId": FLEET_CLUSTER},
    )
    emr.add_response(
        "get_auto_termination_policy", {"AutoTerminationPolicy": {"IdleTimeout": 3600}}, {"ClusterId": FLEET_CLUSTER}
    )
    listed = [
        {"Id": "s-NEW", "Name": "nightly etl", "Status": {"State": "RUNNING", "Timeline": {"CreationDateTime": T0}}},
        {
            "Id": "s-OLD",
            "Name": "spark: etl.py",
            "Status": {"State": "FAILED", "Timeline": {"CreationDateTime": datetime(2025, 2, 28, 23, 5, tzinfo=UTC)}},
        },
    ]
    emr.add_response("list_steps", {"Steps": listed}, {"ClusterId": FLEET_CLUSTER})

    assert main(["status", "--cluster-id", FLEET_CLUSTER, "--steps", "5"]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"cluster {FLEET_CLUSTER} (analytics) in {REGION}\n"
        "  state: RUNNING\n"
        "  release: emr-7.12.0\n"
        "  applications: Spark 3.5.5, Hadoop 3.4.1\n"
        "  log uri: s3n://emr-logs/analytics/\n"
        "\n"
        "instance fleets\n"
        "  fleet   name     on-demand target/provisioned  Spot target/provisioned  state     instance types\n"
        "  MASTER  Primary  1/1                           0/0                      RUNNING   m7g.xlarge\n"
        "  CORE    Core     4/4                           8/6                      RESIZING  r7g.2xlarge, r6g.2xlarge\n"
        "\n"
        "managed scaling: 6-40 InstanceFleetUnits (on-demand up to 10, core up to 20)\n"
        "auto-termination: after 3600 s idle\n"
        "\n"
        "recent steps (newest first, up to 5)\n"
        "  id     name           state    created\n"
        "  s-NEW  nightly etl    RUNNING  2025-03-01 12:00:00Z\n"
        "  s-OLD  spark: etl.py  FAILED   2025-02-28 23:05:00Z\n"
    )


def test_status_of_a_group_cluster_by_stack(factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]) -> None:
    cluster_id = _cluster()
    moto_emr = make_client("emr", REGION)
    for name in ("first", "second", "third"):
        step = {"Name": name, "ActionOnFailure": "CONTINUE", "HadoopJarStep": {"Jar": "command-runner.jar"}}
        moto_emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[step])
    _stack_outputs(factory, {"ClusterId": cluster_id})
    policies = factory.route_policy_reads()
    policies.add_response("get_managed_scaling_policy", {}, {"ClusterId": cluster_id})
    policies.add_client_error(
        "get_auto_termination_policy",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform: elasticmapreduce:GetAutoTerminationPolicy",
    )

    assert main(["status", "--stack", STACK, "--steps", "2"]) == 0
    out = capsys.readouterr().out
    assert f"cluster {cluster_id} (analytics) in {REGION}\n  state: RUNNING\n" in out
    assert "  applications: Spark, Hadoop\n" in out
    assert re.search(r"instance groups\n  group +name +market +requested/running +state +instance type\n", out)
    assert re.search(r"  MASTER +Primary +ON_DEMAND +1/1 +RUNNING +m7g\.xlarge\n", out)
    assert re.search(r"  CORE +Core +ON_DEMAND +2/2 +RUNNING +r7g\.2xlarge\n", out)
    assert "managed scaling: off\n" in out
    assert (
        "auto-termination: unavailable (GetAutoTerminationPolicy failed: AccessDeniedException: "
        "not authorized to perform: elasticmapreduce:GetAutoTerminationPolicy)\n"
    ) in out
    listed = out.split("recent steps (newest first, up to 2)\n")[1].splitlines()
    assert len(listed) == 3, "header and the two most recent steps"
    assert {row.split()[1] for row in listed[1:]} <= {"first", "second", "third"}


def test_status_with_no_steps_listed(factory: Factory, moto: None, capsys: pytest.CaptureFixture[str]) -> None:
    cluster_id = _cluster()
    policies = factory.route_policy_reads()
    policies.add_response("get_managed_scaling_policy", {}, {"ClusterId": cluster_id})
    policies.add_response("get_auto_termination_policy", {}, {"ClusterId": cluster_id})
    assert main(["status", "--cluster-id", cluster_id]) == 0
    out = capsys.readouterr().out
    assert out.endswith("managed scaling: off\nauto-termination: off\n\nno steps\n")


# --- AWS failures: clear messages, exit 1 ----------------------------------------------------------------------------


def test_fails_without_credentials(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    # The real factory: credentials are looked up when the request is signed, before anything is sent.
    assert main(["status", "--cluster-id", FLEET_CLUSTER]) == 1
    assert capsys.readouterr().err == f"error: {NO_CREDENTIALS}\n"
    assert NO_CREDENTIALS == "no AWS credentials: configure a profile or environment credentials"


def test_fails_without_a_region(
    factory: Factory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    assert main(["status", "--cluster-id", FLEET_CLUSTER]) == 1
    assert capsys.readouterr().err == (
        "error: no AWS region: pass --region, set AWS_DEFAULT_REGION, or give the profile a region\n"
    )


def test_fails_when_throttling_persists_stubbed(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    factory.stub("emr").add_client_error(
        "describe_cluster",
        service_error_code="ThrottlingException",
        service_message="Rate exceeded",
        http_status_code=400,
    )
    assert main(["status", "--cluster-id", FLEET_CLUSTER]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: AWS kept throttling DescribeCluster (ThrottlingException: Rate exceeded) after ")
    assert err.endswith("; wait a minute and run the command again\n")


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def _throttle_http(code: str, counter: list[str], times: int | None = None) -> Callable[..., AWSResponse | None]:
    """A before-send hook answering HTTP 400 ``code`` (``times`` times, or always): botocore's retry handler sees it."""

    def send(request: Any, **_: Any) -> AWSResponse | None:
        if times is not None and len(counter) >= times:
            return None
        counter.append(code)
        body = json.dumps({"__type": code, "message": "Rate exceeded"}).encode()
        headers = HTTPHeaders()
        headers["x-amzn-RequestId"] = "r-1"
        return AWSResponse(request.url, 400, headers, _Body(body))

    return send


@pytest.mark.parametrize("code", ["ThrottlingException", "ThrottledException", "RequestLimitExceeded"])
def test_fails_when_throttling_persists_after_the_factorys_retries(
    code: str, factory: Factory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    backoffs: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", backoffs.append)  # the retry backoff, not slept
    factory.max_retries = 2
    client = factory("emr", REGION)
    answered: list[str] = []
    client.meta.events.register("before-send.emr.DescribeCluster", _throttle_http(code, answered))
    factory.stubbed["emr"] = client
    assert main(["status", "--cluster-id", FLEET_CLUSTER]) == 1
    assert answered == [code] * 3, "standard retry mode: the first attempt and the 2 retries the factory allows"
    assert len(backoffs) == 2
    assert capsys.readouterr().err == (
        f"error: AWS kept throttling DescribeCluster ({code}: Rate exceeded) after 3 attempts; "
        "wait a minute and run the command again\n"
    )


def test_default_clients_retry_throttling_in_standard_mode(
    factory: Factory, moto: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    cluster_id = _cluster()
    client = factory("emr", None)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 9}, "max_attempts 8: 8 retries"
    answered: list[str] = []
    # First in line, so its answer wins; moto still sees every request, so throttle an idempotent read.
    hook = _throttle_http("ThrottlingException", answered, times=2)
    client.meta.events.register_first("before-send.emr.DescribeCluster", hook)
    factory.stubbed["emr"] = client
    assert _submit(target=("--cluster-id", cluster_id)) == 0, "two throttles, then moto answers"
    assert answered == ["ThrottlingException"] * 2
    (step,) = _moto_steps(cluster_id)
    assert capsys.readouterr().out == f"{step.id}\n"


def test_fails_on_other_client_errors_with_code_and_message(
    factory: Factory, capsys: pytest.CaptureFixture[str]
) -> None:
    factory.stub("emr").add_client_error(
        "describe_cluster",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:iam::123456789012:user/dev is not authorized to perform: DescribeCluster",
    )
    assert main(["submit", "--cluster-id", FLEET_CLUSTER, "--spark", SCRIPT]) == 1
    assert capsys.readouterr().err == (
        "error: DescribeCluster failed: AccessDeniedException: "
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: DescribeCluster\n"
    )


def test_fails_when_the_endpoint_is_unreachable(factory: Factory, capsys: pytest.CaptureFixture[str]) -> None:
    factory.max_retries = 0
    client = factory("emr", "eu-nowhere-1")
    endpoint = "https://elasticmapreduce.eu-nowhere-1.amazonaws.com/"

    def unreachable(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url=endpoint)

    client.meta.events.register("before-send.emr", unreachable)
    factory.stubbed["emr"] = client
    assert main(["status", "--cluster-id", FLEET_CLUSTER, "--region", "eu-nowhere-1"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot reach {endpoint}: check --region and the network connection (Could not")


def test_fails_wait_keeps_the_step_id_when_aws_fails_later(
    factory: Factory, sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    emr = factory.stub("emr")
    _stubbed_cluster(emr, FLEET_CLUSTER)
    emr.add_response("add_job_flow_steps", {"StepIds": ["s-ADDED"]})
    emr.add_client_error("describe_step", service_error_code="ThrottlingException", service_message="Rate exceeded")
    assert _submit("--wait", target=("--cluster-id", FLEET_CLUSTER)) == 1
    captured = capsys.readouterr()
    assert captured.out == "s-ADDED\n"
    assert (
        f"note: step s-ADDED was added to cluster {FLEET_CLUSTER}; "
        f"follow it with: emr-constructs status --cluster-id {FLEET_CLUSTER}\n"
    ) in captured.err
    assert "error: AWS kept throttling DescribeStep" in captured.err


# --- usage errors: exit 2, no AWS call -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["submit", "--spark", SCRIPT], "one of the arguments --stack --cluster-id --application-id is required"),
        (["submit", "--stack", STACK, "--cluster-id", FLEET_CLUSTER, "--spark", SCRIPT], "not allowed with argument"),
        (["submit", "--cluster-id", FLEET_CLUSTER], "the following arguments are required: --spark"),
        (["submit", "--cluster-id", FLEET_CLUSTER, "--spark", "jobs/etl.py"], "is not an S3 object URI"),
        (["submit", "--cluster-id", "cluster-1", "--spark", SCRIPT], "is not an EMR cluster id"),
        (["submit", "--cluster-id", FLEET_CLUSTER, "--spark", SCRIPT, "--conf", "spark.x"], "is not KEY=VALUE"),
        (["submit", "--cluster-id", FLEET_CLUSTER, "--spark", SCRIPT, "--execution-role", "etl"], "not an IAM role"),
        (["submit", "--cluster-id", FLEET_CLUSTER, "--spark", SCRIPT, "--poll-seconds", "0"], "0 is below 1"),
        (["submit", "--cluster-id", FLEET_CLUSTER, "--spark", SCRIPT, "--action-on-failure", "STOP"], "invalid choice"),
        (["status"], "one of the arguments --stack --cluster-id --application-id is required"),
        (["status", "--cluster-id", FLEET_CLUSTER, "--steps", "-1"], "out of range; choose 0..1000"),
        (["status", "--cluster-id", FLEET_CLUSTER, "--steps", "many"], "is not a whole number"),
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
