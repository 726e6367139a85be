"""The state machine of an EMR Serverless job, as plain data: the ``StartJobRun`` request and the graph around it.

Step Functions Developer Guide, "Create and manage Amazon EMR Serverless applications with Step Functions"
(connect-emr-serverless): the optimized integration ``arn:aws:states:::emr-serverless:startJobRun.sync`` takes
StartJobRun's request in PascalCase and waits for the job run to end; ``startApplication.sync`` and
``stopApplication.sync`` wait for STARTED and STOPPED, and "all scheduled and running jobs must be completed or
cancelled before stopping an application". A stopped execution makes "a best-effort attempt to cancel" a ``.sync``
task (service-integration-iam-templates). The idempotency token is not documented for the integration (botocore
fills ``clientToken`` in for SDK callers), so each execution sends its own, ``States.UUID()``. The guide says the
``.sync`` request and response are StartJobRun's; the notifications print the whole result and error objects, so
a field that is not there can never fail them (a missing JSONPath is an uncatchable ``States.Runtime``). The job
runs in EMR's default mode, BATCH.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emr_constructs.jobflow.states import NOTIFY_TIMEOUT_SECONDS, integration_arn, publish_state
from emr_constructs.spec.configurations import ConfigurationSpec

START_APPLICATION = "StartApplication"
RUN_JOB = "RunJob"
STOP_APPLICATION = "StopApplication"
STOP_AFTER_FAILURE = "StopApplicationAfterFailure"
NOTIFY_SUCCESS = "NotifySuccess"
NOTIFY_NOT_STOPPED = "NotifyApplicationNotStopped"
NOTIFY_FAILURE = "NotifyFailure"
SUCCEEDED = "Succeeded"
FAILED = "Failed"

JOB_RUN_PATH = "$.JobRun"
ERROR_PATH = "$.Error"
STOP_ERROR_PATH = "$.StopError"
#: Starting or stopping an application takes minutes; this bounds a stuck one.
APPLICATION_TIMEOUT_SECONDS = 1800


def spark_driver(
    entry_point: str, args: Sequence[str], conf: Mapping[str, str], main_class: str | None
) -> dict[str, Any]:
    """``JobDriver.SparkSubmit``: ``conf`` as ``--conf key=value`` (and ``--class`` for a JAR)."""
    parameters = [f"--class {main_class}"] if main_class else []
    parameters += [f"--conf {key}={value}" for key, value in conf.items()]
    driver: dict[str, Any] = {"EntryPoint": entry_point}
    if args:
        driver["EntryPointArguments"] = list(args)
    if parameters:
        driver["SparkSubmitParameters"] = " ".join(parameters)
    return {"SparkSubmit": driver}


def hive_driver(query: str, init_query_file: str | None, parameters: Mapping[str, str]) -> dict[str, Any]:
    """``JobDriver.Hive``: ``parameters`` as ``--hiveconf key=value``."""
    driver: dict[str, Any] = {"Query": query}
    if init_query_file:
        driver["InitQueryFile"] = init_query_file
    if parameters:
        driver["Parameters"] = " ".join(f"--hiveconf {key}={value}" for key, value in parameters.items())
    return {"Hive": driver}


def configuration_json(spec: ConfigurationSpec) -> dict[str, Any]:
    rendered: dict[str, Any] = {"Classification": spec.classification}
    if spec.properties:
        rendered["Properties"] = dict(spec.properties)
    if spec.configurations:
        rendered["Configurations"] = [configuration_json(child) for child in spec.configurations]
    return rendered


def start_job_run_request(
    *,
    application_id: str,
    execution_role_arn: str,
    name: str,
    driver: dict[str, Any],
    timeout_minutes: int,
    max_attempts: int,
    configurations: Sequence[ConfigurationSpec] = (),
    log_uri: str | None = None,
    log_key_arn: str | None = None,
) -> dict[str, Any]:
    """The ``startJobRun`` task's parameters: StartJobRun's request in PascalCase, without the idempotency token
    (``build_definition`` adds one per execution). The retry policy is sent only for more than one attempt."""
    request: dict[str, Any] = {
        "ApplicationId": application_id,
        "ExecutionRoleArn": execution_role_arn,
        "Name": name,
        "JobDriver": driver,
        "ExecutionTimeoutMinutes": timeout_minutes,
    }
    if max_attempts > 1:
        request["RetryPolicy"] = {"MaxAttempts": max_attempts}
    overrides: dict[str, Any] = {}
    if configurations:
        overrides["ApplicationConfiguration"] = [configuration_json(spec) for spec in configurations]
    if log_uri is not None:
        s3 = {"LogUri": log_uri}
        if log_key_arn is not None:
            s3["EncryptionKeyArn"] = log_key_arn
        overrides["MonitoringConfiguration"] = {"S3MonitoringConfiguration": s3}
    if overrides:
        request["ConfigurationOverrides"] = overrides
    return request


def task_timeout_seconds(timeout_minutes: int, max_attempts: int, queue_minutes: int) -> int:
    """How long the ``startJobRun.sync`` task may wait: each attempt its timeout and, as it may queue again, the
    longest time in the queue (jobs-resiliency does not say whether a retry queues)."""
    return max_attempts * (timeout_minutes + queue_minutes) * 60


#: A notification's worst case: four tries of ``NOTIFY_TIMEOUT_SECONDS`` and the back-off between them (5, 10, 20).
NOTIFY_BUDGET_SECONDS = 4 * NOTIFY_TIMEOUT_SECONDS + 35
#: Starting the application: three tries and the back-off between them (30, 60).
START_BUDGET_SECONDS = 3 * APPLICATION_TIMEOUT_SECONDS + 90


def execution_timeout_seconds(task_timeout: int, manage_application: bool) -> int:
    """The longest path through the graph: [start], the run, [stop], one notification."""
    applications = START_BUDGET_SECONDS + APPLICATION_TIMEOUT_SECONDS if manage_application else 0
    return task_timeout + applications + NOTIFY_BUDGET_SECONDS


def notify_state(partition: str, topic_arn: str, subject: str, template: str, *paths: str) -> dict[str, Any]:
    state = publish_state(partition, topic_arn, subject, template, *paths)
    state["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2}]
    state["TimeoutSeconds"] = NOTIFY_TIMEOUT_SECONDS
    return state


def outcome_states(partition: str, topic_arn: str, *, job: str, logs: str, error: str) -> dict[str, Any]:
    """The end of a job runner's graph: notify the success (with the whole result) or the failure (with the log
    location ``logs`` and the whole error), then succeed or fail with ``error``. ``job`` names the job in the
    messages (``EMR Serverless job nightly``)."""
    return {
        NOTIFY_SUCCESS: {
            **notify_state(
                partition,
                topic_arn,
                f"{job} succeeded",
                f"{job} succeeded: execution {{}}, job run {{}}.",
                "$$.Execution.Name",
                f"States.JsonToString({JOB_RUN_PATH})",
            ),
            "Next": SUCCEEDED,
        },
        NOTIFY_FAILURE: {
            **notify_state(
                partition,
                topic_arn,
                f"{job} failed",
                f"{job} failed: execution {{}}.{logs} Error: {{}}",
                "$$.Execution.Name",
                f"States.JsonToString({ERROR_PATH})",
            ),
            "Next": FAILED,
        },
        SUCCEEDED: {"Type": "Succeed"},
        FAILED: {
            "Type": "Fail",
            "Error": error,
            "Cause": "The job run failed; the notification names the error and the logs.",
        },
    }


def _application_state(partition: str, action: str, application_id: str, result_path: str | None) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": integration_arn(partition, "emr-serverless", f"{action}.sync"),
        "Parameters": {"ApplicationId": application_id},
        "ResultPath": result_path,
        "TimeoutSeconds": APPLICATION_TIMEOUT_SECONDS,
    }


def build_definition(
    *,
    partition: str,
    request: dict[str, Any],
    job_name: str,
    topic_arn: str,
    task_timeout: int,
    manage_application: bool,
    log_location: str | None,
) -> dict[str, Any]:
    """The graph: [start the application] → run the job (``.sync``) → [stop the application] → notify.

    Every failure (the application not starting, the job run failing, timing out or being cancelled) stops the
    application when this job started it, and notifies with the error before the execution fails. A stop that
    fails after a successful run (another job run still on the application) is notified, and the execution
    still succeeds: the job did.
    """
    application_id = request["ApplicationId"]
    logs = (
        f" Logs: {log_location}applications/{application_id}/jobs/<job run id>/ (the error names the job run)."
        if log_location
        else ""
    )
    states: dict[str, Any] = {
        RUN_JOB: {
            "Type": "Task",
            "Resource": integration_arn(partition, "emr-serverless", "startJobRun.sync"),
            "Parameters": {**request, "ClientToken.$": "States.UUID()"},
            "ResultPath": JOB_RUN_PATH,
            "TimeoutSeconds": task_timeout,
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "ResultPath": ERROR_PATH,
                    "Next": STOP_AFTER_FAILURE if manage_application else NOTIFY_FAILURE,
                }
            ],
            "Next": STOP_APPLICATION if manage_application else NOTIFY_SUCCESS,
        },
        **outcome_states(
            partition, topic_arn, job=f"EMR Serverless job {job_name}", logs=logs, error="EmrServerlessJobFailed"
        ),
    }
    start = RUN_JOB
    if manage_application:
        start = START_APPLICATION
        states[START_APPLICATION] = {
            **_application_state(partition, "startApplication", application_id, None),
            # A failed start is tried twice more before the job is given up.
            "Retry": [
                {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 30, "MaxAttempts": 2, "BackoffRate": 2}
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": ERROR_PATH, "Next": STOP_AFTER_FAILURE}],
            "Next": RUN_JOB,
        }
        states[STOP_APPLICATION] = {
            **_application_state(partition, "stopApplication", application_id, None),
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": STOP_ERROR_PATH, "Next": NOTIFY_NOT_STOPPED}],
            "Next": NOTIFY_SUCCESS,
        }
        states[STOP_AFTER_FAILURE] = {
            **_application_state(partition, "stopApplication", application_id, None),
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": STOP_ERROR_PATH, "Next": NOTIFY_FAILURE}],
            "Next": NOTIFY_FAILURE,
        }
        states[NOTIFY_NOT_STOPPED] = {
            **notify_state(
                partition,
                topic_arn,
                f"EMR Serverless job {job_name} succeeded, application left running",
                f"EMR Serverless job {job_name} succeeded (execution {{}}), but its application was not stopped: "
                "other job runs may still use it; it stops by its auto-stop setting or by hand. Error: {}",
                "$$.Execution.Name",
                f"States.JsonToString({STOP_ERROR_PATH})",
            ),
            "Next": SUCCEEDED,
        }
    return {
        "TimeoutSeconds": execution_timeout_seconds(task_timeout, manage_application),
        "Comment": f"EMR Serverless job {job_name}: "
        + ("start the application, run the job, stop the application" if manage_application else "run the job")
        + ", notify.",
        "StartAt": start,
        "States": states,
    }
