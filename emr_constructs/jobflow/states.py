"""State names and state JSON of a transient job flow's state machine (pure: no CDK import).

Every value may be a CDK token (a string) that passes through untouched. The integration ARNs and the retry
policies follow the Step Functions Developer Guide, "Create and manage Amazon EMR clusters with Step Functions":
``createCluster.sync`` waits until the cluster is WAITING (so the request must keep it alive and carry no
steps), ``addStep.sync`` until the step ends, ``terminateCluster.sync`` until the cluster is TERMINATED.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CREATE_CLUSTER = "CreateCluster"
TERMINATE_CLUSTER = "TerminateCluster"
TERMINATE_AFTER_FAILURE = "TerminateClusterAfterFailure"
NOTIFY_SUCCESS = "NotifySuccess"
NOTIFY_FAILURE = "NotifyFailure"
NOTIFY_CREATE_FAILURE = "NotifyCreateFailure"
NOTIFY_TERMINATION_FAILURE = "NotifyTerminationFailure"
SUCCEEDED = "Succeeded"
FAILED = "Failed"

#: Where the state machine keeps the cluster id (``$.Cluster.ClusterId``) and the errors it catches.
CLUSTER_PATH = "$.Cluster"
CLUSTER_ID_PATH = "$.Cluster.ClusterId"
ERROR_PATH = "$.Error"
TERMINATE_ERROR_PATH = "$.TerminateError"

#: The error name Step Functions gives every EMR API error that the service does not model, throttling
#: (``ThrottlingException: Rate exceeded``) among them. A throttled RunJobFlow or AddJobFlowSteps call did
#: nothing, so repeating it is safe.
EMR_API_ERROR = "EMR.AmazonElasticMapReduceException"

#: Step Functions state names: at most 80 characters; these characters are kept, every other becomes "-".
STATE_NAME_MAX = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

#: Publishing a notification takes seconds; this bounds a stuck call.
NOTIFY_TIMEOUT_SECONDS = 300


def integration_arn(partition: str, service: str, action: str) -> str:
    """``arn:<partition>:states:::<service>:<action>`` (an optimized service integration)."""
    return f"arn:{partition}:states:::{service}:{action}"


def step_state_name(index: int, step_name: str) -> str:
    """``Step01-<name>``: unique by position, readable, within Step Functions' limits."""
    prefix = f"Step{index + 1:02d}-"
    return (prefix + _UNSAFE.sub("-", step_name).strip("-"))[:STATE_NAME_MAX]


def create_cluster_state(partition: str, request: Mapping[str, Any], timeout_seconds: int) -> dict[str, Any]:
    """``createCluster.sync`` with the full ``RunJobFlow`` request; keeps only ``ClusterId`` (at ``$.Cluster``)."""
    return {
        "Type": "Task",
        "Comment": "RunJobFlow, then wait until the cluster is WAITING (it has no steps and is kept alive).",
        "Resource": integration_arn(partition, "elasticmapreduce", "createCluster.sync"),
        "Parameters": dict(request),
        "ResultSelector": {"ClusterId.$": "$.ClusterId"},
        "ResultPath": CLUSTER_PATH,
        "TimeoutSeconds": timeout_seconds,
    }


def add_step_state(
    partition: str, step: Mapping[str, Any], timeout_seconds: int, execution_role_arn: str | None
) -> dict[str, Any]:
    """``addStep.sync`` of one ``StepConfig``; its (large) result is dropped."""
    parameters: dict[str, Any] = {"ClusterId.$": CLUSTER_ID_PATH, "Step": dict(step)}
    if execution_role_arn is not None:
        parameters["ExecutionRoleArn"] = execution_role_arn
    return {
        "Type": "Task",
        "Comment": f"AddJobFlowSteps: {step.get('Name')}, then wait until the step ends.",
        "Resource": integration_arn(partition, "elasticmapreduce", "addStep.sync"),
        "Parameters": parameters,
        "ResultPath": None,
        "TimeoutSeconds": timeout_seconds,
    }


def terminate_cluster_state(partition: str, timeout_seconds: int, comment: str) -> dict[str, Any]:
    """``terminateCluster.sync`` of the cluster at ``$.Cluster.ClusterId`` (idempotent)."""
    return {
        "Type": "Task",
        "Comment": comment,
        "Resource": integration_arn(partition, "elasticmapreduce", "terminateCluster.sync"),
        "Parameters": {"ClusterId.$": CLUSTER_ID_PATH},
        "ResultPath": None,
        "TimeoutSeconds": timeout_seconds,
    }


def _format(template: str, *paths: str) -> str:
    """``States.Format`` of ``template`` (no quote, brace or backslash of its own) with JSONPath arguments."""
    if re.search(r"['\\]", template) or template.count("{}") != len(paths):
        raise ValueError(f"bad notification template {template!r}")  # pragma: no cover - programming error
    return f"States.Format('{template}', {', '.join(paths)})"


def publish_state(partition: str, topic_arn: str, subject: str, template: str, *paths: str) -> dict[str, Any]:
    """``sns:publish`` of a readable message built from the execution's name and state."""
    return {
        "Type": "Task",
        "Resource": integration_arn(partition, "sns", "publish"),
        "Parameters": {"TopicArn": topic_arn, "Subject": subject[:100], "Message.$": _format(template, *paths)},
        "ResultPath": None,
        "TimeoutSeconds": NOTIFY_TIMEOUT_SECONDS,
    }


EXECUTION_NAME = "$$.Execution.Name"

SUCCESS_MESSAGE = (
    "EMR job flow {} succeeded: every step ran on cluster {}, and the cluster was terminated.",
    (EXECUTION_NAME, CLUSTER_ID_PATH),
)
FAILURE_MESSAGE = (
    "EMR job flow {} failed on cluster {} and the cluster was terminated. Error: {}. Cause: {}",
    (EXECUTION_NAME, CLUSTER_ID_PATH, f"{ERROR_PATH}.Error", f"{ERROR_PATH}.Cause"),
)
CREATE_FAILURE_MESSAGE = (
    "EMR job flow {} failed: the cluster was not created or did not start. Error: {}. Cause: {}",
    (EXECUTION_NAME, f"{ERROR_PATH}.Error", f"{ERROR_PATH}.Cause"),
)
TERMINATION_FAILURE_MESSAGE = (
    "EMR job flow {} could not terminate cluster {}: it may still be running until its auto-termination idle "
    "timeout ends it. Terminate it by hand. Error: {}. Cause: {}",
    (EXECUTION_NAME, CLUSTER_ID_PATH, f"{TERMINATE_ERROR_PATH}.Error", f"{TERMINATE_ERROR_PATH}.Cause"),
)
