"""State names and state JSON of a transient job flow's state machine (pure: no CDK import).

Every value may be a CDK token (a string) that passes through untouched. Sources, all in the Step Functions
Developer Guide:

- "Create and manage Amazon EMR clusters with Step Functions"
  (https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html): "Step Functions does not terminate an
  Amazon EMR cluster automatically if execution is stopped"; ``addStep.sync`` waits until the step ends,
  ``terminateCluster.sync`` "waits for the cluster to terminate"; its ``.sync`` tasks poll EMR every 60 seconds
  for the first 10 minutes (the wait loop below polls as often).
- "Learning to use AWS service SDK integrations in Step Functions"
  (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html): the resource
  ``arn:aws:states:::aws-sdk:emr:<apiAction>``, "parameter names will be Pascal case" (EMR's API model already
  is), the output "as defined for the ... API call", and errors named ``Emr.<ErrorName>``.
- "Handling errors in Step Functions workflows"
  (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html): "All states, except Pass
  and Wait states, can encounter runtime errors"; ``States.ALL`` catches every error except
  ``States.DataLimitExceeded`` and ``States.Runtime``. So every path below reads only fields that an earlier
  state wrote or that the API always returns, and results are trimmed with ``ResultSelector``.

The cluster is created with the AWS SDK integration ``aws-sdk:emr:runJobFlow`` (request and response, no
``.sync``) so that its id is known the moment the call returns; a Wait/DescribeCluster loop then waits for
WAITING. See ``emr_constructs.jobflow.graph`` for why, and for the error handling.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

CREATE_CLUSTER = "CreateCluster"
START_WAITING = "StartWaitingForCluster"
WAIT_FOR_CLUSTER = "WaitForCluster"
DESCRIBE_CLUSTER = "DescribeCluster"
IS_CLUSTER_READY = "IsClusterReady"
COUNT_POLL = "CountClusterPoll"
CLUSTER_ENDED = "ClusterEndedBeforeWaiting"
CLUSTER_START_TIMED_OUT = "ClusterStartTimedOut"
TERMINATE_CLUSTER = "TerminateCluster"
TERMINATE_AFTER_FAILURE = "TerminateClusterAfterFailure"
NOTIFY_SUCCESS = "NotifySuccess"
NOTIFY_FAILURE = "NotifyFailure"
NOTIFY_CREATE_FAILURE = "NotifyCreateFailure"
NOTIFY_TERMINATION_FAILURE = "NotifyTerminationFailure"
SUCCEEDED = "Succeeded"
FAILED = "Failed"

#: Where the state machine keeps the cluster id (``$.Cluster.ClusterId``), the wait loop's state, and errors.
CLUSTER_PATH = "$.Cluster"
CLUSTER_ID_PATH = "$.Cluster.ClusterId"
CLUSTER_STATUS_PATH = "$.ClusterStatus"
CLUSTER_STATE_PATH = "$.ClusterStatus.Status.State"
CLUSTER_WAIT_PATH = "$.ClusterWait"
POLLS_PATH = "$.ClusterWait.Polls"
ERROR_PATH = "$.Error"
TERMINATE_ERROR_PATH = "$.TerminateError"

#: EMR cluster states (the API's ``ClusterState``): the one the steps need, and those a cluster never leaves.
READY_STATE = "WAITING"
ENDED_STATES = ("TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS")

#: Error names the state machine raises itself (in ``$.Error``, shaped like a caught error).
CLUSTER_ENDED_ERROR = "EmrClusterEndedBeforeWaiting"
CLUSTER_START_TIMEOUT_ERROR = "EmrClusterStartTimeout"

#: Step Functions state names: at most 80 characters; these characters are kept, every other becomes "-".
STATE_NAME_MAX = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

#: Request-response calls (RunJobFlow, DescribeCluster, SNS Publish) take seconds; this bounds a stuck call.
REQUEST_TIMEOUT_SECONDS = 300
NOTIFY_TIMEOUT_SECONDS = REQUEST_TIMEOUT_SECONDS
#: The wait loop polls every minute, as the ``.sync`` EMR tasks do; longer when that would exceed ``MAX_POLLS``.
POLL_INTERVAL_SECONDS = 60
#: Keeps one execution's history far below Step Functions' 25,000 events (about ten events a poll).
MAX_POLLS = 500


def integration_arn(partition: str, service: str, action: str) -> str:
    """``arn:<partition>:states:::<service>:<action>`` (an optimized service integration)."""
    return f"arn:{partition}:states:::{service}:{action}"


def sdk_arn(partition: str, service: str, action: str) -> str:
    """``arn:<partition>:states:::aws-sdk:<service>:<action>`` (an AWS SDK integration, request and response)."""
    return f"arn:{partition}:states:::aws-sdk:{service}:{action}"


def poll_schedule(timeout_seconds: int) -> tuple[int, int]:
    """``(interval, polls)``: the wait loop waits ``interval`` seconds ``polls`` times, at least ``timeout``."""
    interval = max(POLL_INTERVAL_SECONDS, math.ceil(timeout_seconds / MAX_POLLS))
    return interval, max(1, math.ceil(timeout_seconds / interval))


def step_state_name(index: int, step_name: str) -> str:
    """``Step01-<name>``: unique by position, readable, within Step Functions' limits."""
    prefix = f"Step{index + 1:02d}-"
    return (prefix + _UNSAFE.sub("-", step_name).strip("-"))[:STATE_NAME_MAX]


def run_job_flow_state(partition: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """``aws-sdk:emr:runJobFlow`` with the full request; keeps only the cluster id (``JobFlowId``) at ``$.Cluster``.

    RunJobFlow returns as soon as EMR accepted the cluster, so the id exists before anything can time out."""
    return {
        "Type": "Task",
        "Comment": "RunJobFlow (returns the cluster id at once; the cluster has no steps and is kept alive).",
        "Resource": sdk_arn(partition, "emr", "runJobFlow"),
        "Parameters": dict(request),
        "ResultSelector": {"ClusterId.$": "$.JobFlowId"},
        "ResultPath": CLUSTER_PATH,
        "TimeoutSeconds": REQUEST_TIMEOUT_SECONDS,
    }


def describe_cluster_state(partition: str) -> dict[str, Any]:
    """``aws-sdk:emr:describeCluster`` of the job flow's cluster; keeps only ``Cluster.Status``."""
    return {
        "Type": "Task",
        "Comment": "DescribeCluster: is the cluster WAITING yet?",
        "Resource": sdk_arn(partition, "emr", "describeCluster"),
        "Parameters": {"ClusterId.$": CLUSTER_ID_PATH},
        "ResultSelector": {"Status.$": "$.Cluster.Status"},
        "ResultPath": CLUSTER_STATUS_PATH,
        "TimeoutSeconds": REQUEST_TIMEOUT_SECONDS,
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


def cluster_ended_error() -> dict[str, Any]:
    """``$.Error`` when the cluster ended before WAITING; the cause is the whole status EMR reported."""
    return {
        "Error": CLUSTER_ENDED_ERROR,
        "Cause.$": f"States.JsonToString({CLUSTER_STATUS_PATH}.Status)",
    }


def start_timeout_error(interval: int, polls: int) -> dict[str, Any]:
    """``$.Error`` when the cluster was not WAITING after the last poll."""
    return {
        "Error": CLUSTER_START_TIMEOUT_ERROR,
        "Cause": f"The cluster was not WAITING after {polls} polls {interval} seconds apart.",
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
#: A caught error is ``{"Error": ..., "Cause": ...}``, its ``Cause`` "usually" present: printing the whole
#: object cannot fail on a missing field (which would be an uncatchable ``States.Runtime``).
ERROR_TEXT = f"States.JsonToString({ERROR_PATH})"
TERMINATE_ERROR_TEXT = f"States.JsonToString({TERMINATE_ERROR_PATH})"

SUCCESS_MESSAGE = (
    "EMR job flow {} succeeded: every step ran on cluster {}, and the cluster was terminated.",
    (EXECUTION_NAME, CLUSTER_ID_PATH),
)
FAILURE_MESSAGE = (
    "EMR job flow {} failed on cluster {} and the cluster was terminated. Error: {}",
    (EXECUTION_NAME, CLUSTER_ID_PATH, ERROR_TEXT),
)
CREATE_FAILURE_MESSAGE = (
    "EMR job flow {} failed: RunJobFlow returned no cluster id, so there is no cluster to terminate (one that EMR "
    "created anyway ends by its auto-termination idle timeout). Error: {}",
    (EXECUTION_NAME, ERROR_TEXT),
)
TERMINATION_FAILURE_MESSAGE = (
    "EMR job flow {} could not terminate cluster {}: it may still be running until its auto-termination idle "
    "timeout ends it. Terminate it by hand. Error: {}",
    (EXECUTION_NAME, CLUSTER_ID_PATH, TERMINATE_ERROR_TEXT),
)
