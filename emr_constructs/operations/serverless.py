"""EMR Serverless applications: start a Spark job run, follow it to its end, report an application's status.

A stack that deploys an application carries the outputs ``ApplicationId``, ``ExecutionRoleArn`` and ``LogUri``
(``s3://bucket/prefix/``, for people: a job run inherits the application's log settings, with their key);
:data:`APPLICATION_ID_OUTPUT` and its siblings name them for the stack code. Job logs land
under ``<logUri>/applications/<applicationId>/jobs/<jobRunId>/`` (``SPARK_DRIVER/stderr.gz`` and ``stdout.gz``;
``attempts/<n>/`` from the second attempt) and, with CloudWatch logging on, in the log group (default
``/aws/emr-serverless``) under the streams ``<prefix>/applications/<applicationId>/jobs/<jobRunId>/``
(EMR Serverless User Guide, "Storing logs").
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, TextIO

from botocore.exceptions import ClientError

from emr_constructs.operations.clients import OperationError, error_code, error_message, region_of
from emr_constructs.operations.clusters import format_time, table

APPLICATION_ID_OUTPUT = "ApplicationId"
"""The output naming the stack's EMR Serverless application id; a stack with it is a Serverless target."""
EXECUTION_ROLE_ARN_OUTPUT = "ExecutionRoleArn"
"""The output naming the job runtime role that ``submit`` passes as ``executionRoleArn``."""
LOG_URI_OUTPUT = "LogUri"
"""The output naming the S3 log location (``s3://bucket/prefix/``) that ``submit`` sets on the job run."""
DONE_STATES = frozenset({"SUCCESS", "FAILED", "CANCELLED"})
DEFAULT_LOG_GROUP = "/aws/emr-serverless"
SERVICE = "emr-serverless"

sleep: Callable[[float], None] = time.sleep
"""The wait between polls; looked up at call time so tests can replace it."""


@cache
def _shape(name: str) -> Mapping[str, Any]:
    """The constraints (``min``, ``max``, ``pattern``) of a shape in botocore's emr-serverless model."""
    import botocore.session

    return dict(botocore.session.get_session().get_service_model(SERVICE).shape_for(name).metadata)


def application_id(value: str) -> str:
    """An argparse type: ``value`` if it fits botocore's ``ApplicationId`` shape (length and pattern)."""
    shape = _shape("ApplicationId")
    if not shape["min"] <= len(value) <= shape["max"] or not re.fullmatch(shape["pattern"], value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an EMR Serverless application id ({shape['min']}-{shape['max']} characters "
            f"matching {shape['pattern']}, e.g. 00fabcdexample12)"
        )
    return value


def execution_timeout(value: str) -> int:
    """An argparse type: whole minutes within botocore's ``Duration`` shape (``executionTimeoutMinutes``)."""
    shape = _shape("Duration")
    if not value.isdigit() or not shape["min"] <= int(value) <= shape["max"]:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of minutes, {shape['min']}..{shape['max']}")
    return int(value)


def log_uri(value: str) -> str:
    """An argparse type: an S3 prefix ``s3://bucket/prefix/``."""
    if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an S3 location (s3://bucket/prefix/)")
    return value


@dataclass(frozen=True)
class ServerlessTarget:
    """An application, and the runtime role and S3 log location its job runs get (from the stack or options)."""

    application_id: str
    execution_role: str | None = None
    log_uri: str | None = None


def target_from_outputs(stack_name: str, outputs: Mapping[str, str]) -> ServerlessTarget:
    """The target of a stack's outputs; :class:`OperationError` if its ``ApplicationId`` is malformed."""
    value = outputs[APPLICATION_ID_OUTPUT]
    try:
        application_id(value)
    except argparse.ArgumentTypeError as error:
        raise OperationError(f"stack {stack_name}: output {APPLICATION_ID_OUTPUT}: {error}") from None
    return ServerlessTarget(value, outputs.get(EXECUTION_ROLE_ARN_OUTPUT) or None)


@dataclass(frozen=True)
class JobSubmission:
    """One Spark job run (``StartJobRun`` with a ``sparkSubmit`` driver)."""

    script: str
    name: str | None = None
    args: tuple[str, ...] = ()
    conf: Mapping[str, str] = field(default_factory=dict)
    main_class: str | None = None
    execution_timeout_minutes: int | None = None

    @property
    def job_name(self) -> str:
        return self.name or f"spark: {self.script.rsplit('/', 1)[-1]}"

    def spark_submit_parameters(self) -> str | None:
        """``--class C --conf K=V ...``; ``ValueError`` for a value EMR Serverless would split at its whitespace."""
        parts = ["--class", self.main_class] if self.main_class else []
        for key, value in self.conf.items():
            if re.search(r"\s", key + value):
                raise ValueError(
                    f"--conf {key}={value}: sparkSubmitParameters is one string split at whitespace, so this "
                    "setting cannot pass; set it in the application's runtime configuration (spark-defaults)"
                )
            parts += ["--conf", f"{key}={value}"]
        return " ".join(parts) or None

    def request(self, target: ServerlessTarget) -> dict[str, Any]:
        """The ``StartJobRun`` request; botocore adds the idempotency ``clientToken``."""
        driver: dict[str, Any] = {"entryPoint": self.script}
        if self.args:
            driver["entryPointArguments"] = list(self.args)
        parameters = self.spark_submit_parameters()
        if parameters:
            driver["sparkSubmitParameters"] = parameters
        request: dict[str, Any] = {
            "applicationId": target.application_id,
            "executionRoleArn": target.execution_role,
            "name": self.job_name,
            "jobDriver": {"sparkSubmit": driver},
        }
        if target.log_uri:
            s3 = {"s3MonitoringConfiguration": {"logUri": target.log_uri}}
            request["configurationOverrides"] = {"monitoringConfiguration": s3}
        if self.execution_timeout_minutes is not None:
            request["executionTimeoutMinutes"] = self.execution_timeout_minutes
        return request


def get_application(client: Any, app_id: str) -> dict[str, Any]:
    """``GetApplication``, with an unknown id turned into a clear :class:`OperationError`."""
    try:
        return dict(client.get_application(applicationId=app_id)["application"])
    except ClientError as error:
        if error_code(error) in {"ResourceNotFoundException", "ValidationException"}:
            raise OperationError(
                f"serverless application {app_id} not found in {region_of(client)}: {error_message(error)} "
                "(check the id and --region)"
            ) from None
        raise


def _check_accepts_jobs(application: Mapping[str, Any]) -> None:
    app_id, state = application.get("applicationId", "?"), application.get("state", "UNKNOWN")
    if str(application.get("type", "")).upper() != "SPARK":
        raise OperationError(
            f"serverless application {app_id} is a {application.get('type')} application: submit sends Spark jobs"
        )
    if state in {"TERMINATED", "CREATING"}:
        raise OperationError(f"serverless application {app_id} is {state}: it accepts no job runs")
    auto_start = application.get("autoStartConfiguration", {}).get("enabled", True)
    if state != "STARTED" and not auto_start:
        raise OperationError(
            f"serverless application {app_id} is {state} and auto-start is off: start it first "
            f"(aws emr-serverless start-application --application-id {app_id})"
        )


def _monitoring(job_run: Mapping[str, Any], application: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The job run's monitoring configuration over the application's (the job run's settings win)."""
    merged: dict[str, dict[str, Any]] = {}
    job = job_run.get("configurationOverrides", {}).get("monitoringConfiguration", {})
    for source in (application.get("monitoringConfiguration", {}), job):
        for key, value in source.items():
            merged[key] = {**merged.get(key, {}), **value}
    return merged


def log_locations(job_run: Mapping[str, Any], application: Mapping[str, Any]) -> list[str]:
    """Where the job run's logs are: the S3 prefix and the CloudWatch log group and streams, where configured."""
    app_id, run_id = job_run.get("applicationId", "?"), job_run.get("jobRunId", "?")
    path = f"applications/{app_id}/jobs/{run_id}/"
    attempt = int(job_run.get("attempt", 1) or 1)
    suffix = f" (this attempt under attempts/{attempt}/)" if attempt > 1 else ""
    monitoring = _monitoring(job_run, application)
    found = []
    uri = monitoring.get("s3MonitoringConfiguration", {}).get("logUri")
    if uri:
        found.append(f"S3 {uri.rstrip('/')}/{path}{suffix} (driver: SPARK_DRIVER/stderr.gz, stdout.gz)")
    cloudwatch = monitoring.get("cloudWatchLoggingConfiguration", {})
    if cloudwatch.get("enabled"):
        group = cloudwatch.get("logGroupName") or DEFAULT_LOG_GROUP
        prefix = cloudwatch.get("logStreamNamePrefix", "")
        found.append(f"CloudWatch Logs group {group}, streams {prefix}/{path}{suffix}")
    return found


def _stamp() -> str:
    return format_time(datetime.now(UTC))


def wait_for_job_run(client: Any, app_id: str, run_id: str, *, poll_seconds: float, out: TextIO) -> dict[str, Any]:
    """Poll ``GetJobRun`` until SUCCESS, FAILED or CANCELLED, printing a timestamped line on every state change."""
    previous = ""
    while True:
        job_run = dict(client.get_job_run(applicationId=app_id, jobRunId=run_id)["jobRun"])
        state = job_run.get("state", "UNKNOWN")
        if state != previous:
            details = job_run.get("stateDetails")
            print(f"{_stamp()}  {run_id}  {state}" + (f"  ({details})" if details else ""), file=out, flush=True)
            previous = state
        if state in DONE_STATES:
            return job_run
        sleep(poll_seconds)


def report_job_failure(job_run: Mapping[str, Any], application: Mapping[str, Any], out: TextIO) -> None:
    """The end state, its details and where the logs are (stderr)."""
    print(f"error: job run {job_run.get('jobRunId', '?')} {job_run.get('state', '?')}", file=out)
    print(f"  details: {job_run.get('stateDetails') or '-'}", file=out)
    locations = log_locations(job_run, application)
    for location in locations:
        print(f"  logs: {location}", file=out)
    if not locations:
        print("  logs: no S3 or CloudWatch logging configured; open the application UI in EMR Studio", file=out)


def submit_job(
    client: Any,
    target: ServerlessTarget,
    submission: JobSubmission,
    *,
    wait: bool = False,
    poll_seconds: float = 30,
    out: TextIO | None = None,
    progress: TextIO | None = None,
) -> int:
    """Start the job run and print its id on ``out`` (alone, for scripts); with ``wait``, follow it on ``progress``.

    Returns 0 when started (or, waiting, when it ended in SUCCESS) and 1 when it FAILED or was CANCELLED."""
    out, progress = out or sys.stdout, progress or sys.stderr
    application = get_application(client, target.application_id)
    _check_accepts_jobs(application)
    run_id = str(client.start_job_run(**submission.request(target))["jobRunId"])
    print(run_id, file=out, flush=True)
    print(
        f"started job run {run_id} ({submission.job_name}) on serverless application {target.application_id}",
        file=progress,
        flush=True,
    )
    if not wait:
        return 0
    follow = f"emr-constructs status --application-id {target.application_id}"
    try:
        job_run = wait_for_job_run(client, target.application_id, run_id, poll_seconds=poll_seconds, out=progress)
    except KeyboardInterrupt:
        print(f"stopped waiting; job run {run_id} keeps running (follow it with: {follow})", file=progress)
        return 130
    except Exception:
        print(f"note: job run {run_id} was started; follow it with: {follow}", file=progress)
        raise
    if job_run.get("state") == "SUCCESS":
        billed = job_run.get("billedResourceUtilization", {})
        usage = ", ".join(
            f"{billed[key]:g} {key}" for key in ("vCPUHour", "memoryGBHour", "storageGBHour") if key in billed
        )
        print(
            f"job run {run_id} SUCCESS at {format_time(job_run.get('endedAt'))}"
            + (f"; billed {usage}" if usage else ""),
            file=progress,
        )
        return 0
    report_job_failure(job_run, application, out=progress)
    return 1


def _capacity(capacity: Mapping[str, Any] | None) -> str:
    if not capacity:
        return "none"
    return ", ".join(str(capacity[key]) for key in ("cpu", "memory", "disk") if capacity.get(key)) + (
        f", {capacity['diskType']}" if capacity.get("diskType") else ""
    )


def recent_job_runs(client: Any, app_id: str, count: int) -> list[list[str]]:
    """The ``count`` most recent job runs (``ListJobRuns`` answers newest first) as id, name, state, created."""
    if count <= 0:
        return []
    runs: list[Mapping[str, Any]] = []
    for page in client.get_paginator("list_job_runs").paginate(
        applicationId=app_id, PaginationConfig={"MaxItems": count}
    ):
        runs.extend(page.get("jobRuns", []))
    runs.sort(key=lambda run: run.get("createdAt") or datetime.min.replace(tzinfo=UTC), reverse=True)
    return [
        [run.get("id", "?"), run.get("name", "-"), run.get("state", "?"), format_time(run.get("createdAt"))]
        for run in runs[:count]
    ]


def application_status(client: Any, app_id: str, *, job_runs: int = 10) -> str:
    """State, release, type, architecture, capacities, auto-start and auto-stop, logging, recent job runs."""
    app = get_application(client, app_id)
    state = app.get("state", "UNKNOWN") + (f": {app['stateDetails']}" if app.get("stateDetails") else "")
    initial = "; ".join(
        f"{key} {workers.get('workerCount', 0)} x ({_capacity(workers.get('workerConfiguration'))})"
        for key, workers in sorted(app.get("initialCapacity", {}).items())
    )
    stop = app.get("autoStopConfiguration", {})
    auto_stop = f"after {stop.get('idleTimeoutMinutes', 15)} min idle" if stop.get("enabled", True) else "off"
    logs = log_locations({"applicationId": app_id, "jobRunId": "<jobRunId>"}, app)
    lines = [
        f"serverless application {app_id} ({app.get('name', 'unnamed')}) in {region_of(client)}",
        f"  state: {state}",
        f"  release: {app.get('releaseLabel', '-')}",
        f"  type: {app.get('type', '-')}, architecture: {app.get('architecture', 'X86_64')}",
        f"  maximum capacity: {_capacity(app.get('maximumCapacity'))}",
        f"  initial capacity: {initial or 'none'}",
        f"  auto-start: {'on' if app.get('autoStartConfiguration', {}).get('enabled', True) else 'off'}",
        f"  auto-stop: {auto_stop}",
        *(f"  logs: {location}" for location in logs),
        *(() if logs else ("  logs: none configured on the application (job runs may set their own)",)),
        "",
    ]
    if job_runs > 0:
        rows = recent_job_runs(client, app_id, job_runs)
        header: Sequence[str] = ["id", "name", "state", "created"]
        lines += (
            [f"recent job runs (newest first, up to {job_runs})", *table(header, rows)] if rows else ["no job runs"]
        )
    return "\n".join(lines)
