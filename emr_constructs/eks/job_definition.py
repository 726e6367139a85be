"""The state machine of an EMR on EKS job, as plain data: the ``StartJobRun`` request and the graph around it.

Step Functions Developer Guide, "Run Amazon EMR on EKS jobs with Step Functions" (connect-emr-eks): the optimized
integration ``arn:aws:states:::emr-containers:startJobRun.sync`` takes StartJobRun's request in PascalCase and
waits for the job run to end. StartJobRun has no timeout of its own, so the task's ``TimeoutSeconds`` bounds the
wait: each attempt ``timeout_minutes``. Each execution sends its own idempotency token (``States.UUID()``). The
notifications print the whole result and error objects, so a field that is not there can never fail them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from emr_constructs.jobflow.states import integration_arn
from emr_constructs.serverless.job_definition import (
    ERROR_PATH,
    JOB_RUN_PATH,
    NOTIFY_BUDGET_SECONDS,
    NOTIFY_FAILURE,
    NOTIFY_SUCCESS,
    RUN_JOB,
    configuration_json,
    outcome_states,
    spark_driver,
)
from emr_constructs.spec.configurations import ConfigurationSpec


def start_job_run_request(
    *,
    virtual_cluster_id: str,
    execution_role_arn: str,
    name: str,
    release_label: str,
    entry_point: str,
    args: Sequence[str],
    conf: Mapping[str, str],
    main_class: str | None,
    max_attempts: int,
    configurations: Sequence[ConfigurationSpec],
    monitoring: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``startJobRun`` task's parameters without the idempotency token; the retry policy only for more than one
    attempt."""
    driver = spark_driver(entry_point, args, conf, main_class)["SparkSubmit"]
    overrides: dict[str, Any] = {"MonitoringConfiguration": dict(monitoring)}
    if configurations:
        overrides["ApplicationConfiguration"] = [configuration_json(c) for c in configurations]
    request: dict[str, Any] = {
        "VirtualClusterId": virtual_cluster_id,
        "Name": name,
        "ExecutionRoleArn": execution_role_arn,
        "ReleaseLabel": release_label,
        "JobDriver": {"SparkSubmitJobDriver": driver},
        "ConfigurationOverrides": overrides,
    }
    if max_attempts > 1:
        request["RetryPolicyConfiguration"] = {"MaxAttempts": max_attempts}
    return request


def task_timeout_seconds(timeout_minutes: int, max_attempts: int) -> int:
    """How long the ``startJobRun.sync`` task may wait: each attempt its timeout."""
    return max_attempts * timeout_minutes * 60


def build_definition(
    *, partition: str, request: dict[str, Any], job_name: str, topic_arn: str, task_timeout: int, log_uri: str
) -> dict[str, Any]:
    """The graph: run the job (``.sync``) → notify. A failed, cancelled or timed-out run is notified with the error
    and the log location before the execution fails."""
    cluster = request["VirtualClusterId"]
    return {
        "TimeoutSeconds": task_timeout + NOTIFY_BUDGET_SECONDS,
        "Comment": f"EMR on EKS job {job_name}: run the job, notify.",
        "StartAt": RUN_JOB,
        "States": {
            RUN_JOB: {
                "Type": "Task",
                "Resource": integration_arn(partition, "emr-containers", "startJobRun.sync"),
                "Parameters": {**request, "ClientToken.$": "States.UUID()"},
                "ResultPath": JOB_RUN_PATH,
                "TimeoutSeconds": task_timeout,
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": ERROR_PATH, "Next": NOTIFY_FAILURE}],
                "Next": NOTIFY_SUCCESS,
            },
            **outcome_states(
                partition,
                topic_arn,
                job=f"EMR on EKS job {job_name}",
                logs=f" Logs: {log_uri}{cluster}/jobs/<job run id>/ (the error names the job run).",
                error="EmrOnEksJobFailed",
            ),
        },
    }
