"""The state graph of a transient job flow: create, wait, run steps, always terminate a cluster whose id is known.

::

    CreateCluster ─catch→ NotifyCreateFailure → Failed                          (no cluster id: nothing to end)
      → StartWaitingForCluster → WaitForCluster → DescribeCluster → IsClusterReady
            WAITING                      → Step01-… → … → TerminateCluster → NotifySuccess → Succeeded
            TERMINATING / TERMINATED(_WITH_ERRORS) → ClusterEndedBeforeWaiting ─┐
            last poll done                       → ClusterStartTimedOut      ─┤
            otherwise                            → CountClusterPoll → WaitForCluster
      DescribeCluster, every step (error or timeout) ─catch────────────────────┴→ TerminateClusterAfterFailure
      TerminateClusterAfterFailure → NotifyFailure → Failed
      TerminateCluster, TerminateClusterAfterFailure ─catch→ NotifyTerminationFailure → Failed

Why (Step Functions Developer Guide, "Create and manage Amazon EMR clusters with Step Functions",
https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html: "Step Functions does not terminate an Amazon
EMR cluster automatically if execution is stopped ... ensure that any Amazon EMR cluster you create is terminated
properly"):

- ``createCluster.sync`` returns the cluster id only when the cluster is WAITING: when it timed out or failed while
  the cluster was starting, the catch path had no id to terminate. ``aws-sdk:emr:runJobFlow`` (request and
  response) returns ``JobFlowId`` at once, and from then on every failure, including every timeout (``States.ALL``
  catches ``States.Timeout``), goes through ``TerminateClusterAfterFailure``. The wait loop is bounded: it polls
  ``poll_schedule(cluster_timeout)`` times, then fails; a cluster that ends by itself (bootstrap failure, no
  capacity) fails it at once.
- ``CreateCluster`` is never retried. RunJobFlow has no idempotency token (EMR API Reference, "RunJobFlow"), so a
  repeated call can launch a second cluster whose id nobody keeps. A retry limited to throttling would be safe (a
  throttled call did nothing), but no documented error name singles it out: EMR throttling reaches a Java client
  as ``AmazonElasticMapReduceException`` with error code ``ThrottlingException`` (AWS Knowledge Center, "How do I
  prevent 'rate exceeded' ThrottlingException errors ... in Amazon EMR?",
  https://repost.aws/knowledge-center/emr-cluster-status-throttling-error), which the optimized integration names
  ``EMR.AmazonElasticMapReduceException``, EMR's catch-all; the SDK integration names errors ``Emr.<ErrorName>``
  after the API reference, which lists only ``InternalServerError`` for RunJobFlow; and a retrier matches error
  names, never causes. So a failed call is reported, never repeated.
- ``addStep.sync`` is not retried either: AddJobFlowSteps has no idempotency token, and a repeated task could run a
  step twice. A failed or timed-out step fails the job flow and terminates the cluster (which also ends the step).
- Idempotent calls are retried on any error: DescribeCluster (a read) and terminateCluster.sync (TerminateJobFlows).
- Pass and Wait states cannot fail ("Handling errors in Step Functions workflows"); the Choice has a default.

Not covered (executions that run no state, so no catch runs): an execution stopped by a user, or one that reaches
the state machine's time limit. The cluster's ``AutoTerminationPolicy`` (always set, see ``TransientJobFlow``) is
the backstop: EMR ends the cluster once it has been idle for the idle timeout ("Using an auto-termination policy",
EMR Management Guide: idle means no active YARN applications, HDFS utilization below 10%, no pending steps, ...).
It cannot end a cluster that never becomes idle: one stuck before WAITING, one running a step that never ends, or
one whose HDFS stays above 10% used. A RunJobFlow call whose response is lost after EMR created the cluster (a
``States.Timeout`` of ``CreateCluster``) leaves a cluster without a known id: the same backstop ends it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from emr_constructs.jobflow import states

#: ``${name}`` in a rendered value, other than a CDK token (``${Token[...]}``).
_PLACEHOLDER = re.compile(r"\$\{(?!Token\[)([^}]+)\}")


def build_definition(
    scope: Construct,
    *,
    partition: str,
    request: dict[str, Any],
    bound_steps: Sequence[tuple[dict[str, Any], str | None]],
    topic_arn: str,
    cluster_name: str,
    step_timeout: cdk.Duration,
    cluster_timeout: cdk.Duration,
) -> sfn.IChainable:
    """The whole graph under ``scope``; ``bound_steps`` are ``(StepConfig, execution role ARN or None)``."""
    cluster_seconds = int(cluster_timeout.to_seconds())
    interval, polls = states.poll_schedule(cluster_seconds)

    failed = sfn.Fail(
        scope,
        states.FAILED,
        error="EmrJobFlowFailed",
        cause="The job flow failed; the notification names the error, its cause and the cluster.",
    )
    succeeded = sfn.Succeed(scope, states.SUCCEEDED)

    def notify(state_name: str, subject: str, message: tuple[str, tuple[str, ...]]) -> sfn.CustomState:
        template, paths = message
        state = sfn.CustomState(
            scope, state_name, state_json=states.publish_state(partition, topic_arn, subject, template, *paths)
        )
        _retry(state, interval=5, attempts=3)
        return state

    notify_success = notify(states.NOTIFY_SUCCESS, f"EMR job flow {cluster_name} succeeded", states.SUCCESS_MESSAGE)
    notify_failure = notify(states.NOTIFY_FAILURE, f"EMR job flow {cluster_name} failed", states.FAILURE_MESSAGE)
    notify_create_failure = notify(
        states.NOTIFY_CREATE_FAILURE, f"EMR job flow {cluster_name} failed to start", states.CREATE_FAILURE_MESSAGE
    )
    notify_termination_failure = notify(
        states.NOTIFY_TERMINATION_FAILURE,
        f"EMR job flow {cluster_name}: cluster not terminated",
        states.TERMINATION_FAILURE_MESSAGE,
    )
    notify_success.next(succeeded)
    notify_failure.next(failed)
    notify_create_failure.next(failed)
    notify_termination_failure.next(failed)

    def terminate(state_name: str, comment: str) -> sfn.CustomState:
        state = sfn.CustomState(
            scope, state_name, state_json=states.terminate_cluster_state(partition, cluster_seconds, comment)
        )
        _retry(state, interval=30, attempts=4)  # TerminateJobFlows is idempotent
        state.add_catch(notify_termination_failure, errors=["States.ALL"], result_path=states.TERMINATE_ERROR_PATH)
        return state

    terminate_on_success = terminate(states.TERMINATE_CLUSTER, "Every step succeeded: terminate the cluster.")
    terminate_on_success.next(notify_success)
    terminate_on_failure = terminate(
        states.TERMINATE_AFTER_FAILURE,
        "The cluster did not start, a step failed, or something timed out: terminate the cluster.",
    )
    terminate_on_failure.next(notify_failure)

    # Created once, never retried (see the module doc); no id means nothing to terminate.
    create = sfn.CustomState(scope, states.CREATE_CLUSTER, state_json=states.run_job_flow_state(partition, request))
    create.add_catch(notify_create_failure, errors=["States.ALL"], result_path=states.ERROR_PATH)

    # From here on the id is known: every failure ends in terminate_on_failure.
    start_waiting = sfn.Pass(
        scope,
        states.START_WAITING,
        comment=f"The cluster id is known. Poll up to {polls} times, {interval} seconds apart, for WAITING.",
        result=sfn.Result.from_object({"Polls": 1}),
        result_path=states.CLUSTER_WAIT_PATH,
    )
    wait = sfn.Wait(scope, states.WAIT_FOR_CLUSTER, time=sfn.WaitTime.duration(cdk.Duration.seconds(interval)))
    describe = sfn.CustomState(scope, states.DESCRIBE_CLUSTER, state_json=states.describe_cluster_state(partition))
    _retry(describe, interval=5, attempts=4)  # a read: safe to repeat on any error
    describe.add_catch(terminate_on_failure, errors=["States.ALL"], result_path=states.ERROR_PATH)
    count = sfn.Pass(
        scope,
        states.COUNT_POLL,
        parameters={"Polls.$": f"States.MathAdd({states.POLLS_PATH}, 1)"},
        result_path=states.CLUSTER_WAIT_PATH,
    )
    ended = sfn.Pass(
        scope,
        states.CLUSTER_ENDED,
        comment="EMR ended the cluster before it was ready (bootstrap failure, no capacity, ...).",
        parameters=states.cluster_ended_error(),
        result_path=states.ERROR_PATH,
    )
    timed_out = sfn.Pass(
        scope,
        states.CLUSTER_START_TIMED_OUT,
        parameters=states.start_timeout_error(interval, polls),
        result_path=states.ERROR_PATH,
    )
    ended.next(terminate_on_failure)
    timed_out.next(terminate_on_failure)

    known = sfn.Condition.is_present(states.CLUSTER_STATE_PATH)
    ready = sfn.Choice(scope, states.IS_CLUSTER_READY, comment="WAITING: run the steps. Ended or too late: fail.")
    ready.when(
        sfn.Condition.and_(known, sfn.Condition.string_equals(states.CLUSTER_STATE_PATH, states.READY_STATE)),
        _steps(scope, partition, bound_steps, step_timeout, terminate_on_failure, terminate_on_success),
    )
    ready.when(
        sfn.Condition.and_(
            known,
            sfn.Condition.or_(
                *(sfn.Condition.string_equals(states.CLUSTER_STATE_PATH, s) for s in states.ENDED_STATES)
            ),
        ),
        ended,
    )
    ready.when(sfn.Condition.number_greater_than_equals(states.POLLS_PATH, polls), timed_out)
    ready.otherwise(count)
    count.next(wait)

    return sfn.Chain.start(create).next(start_waiting).next(wait).next(describe).next(ready)


def _steps(
    scope: Construct,
    partition: str,
    bound_steps: Sequence[tuple[dict[str, Any], str | None]],
    step_timeout: cdk.Duration,
    on_failure: sfn.IChainable,
    on_success: sfn.IChainable,
) -> sfn.IChainable:
    """Each step as ``addStep.sync`` (never retried), caught into ``on_failure``; the last leads to ``on_success``."""
    seconds = int(step_timeout.to_seconds())
    tasks: list[sfn.CustomState] = []
    for index, (config, role_arn) in enumerate(bound_steps):
        task = sfn.CustomState(
            scope,
            states.step_state_name(index, str(config["Name"])),
            state_json=states.add_step_state(partition, config, seconds, role_arn),
        )
        task.add_catch(on_failure, errors=["States.ALL"], result_path=states.ERROR_PATH)
        if tasks:
            tasks[-1].next(task)
        tasks.append(task)
    tasks[-1].next(on_success)
    return tasks[0]


def _retry(state: sfn.CustomState, *, interval: int, attempts: int) -> None:
    """Retry any error with exponential backoff: only for calls that are safe to repeat."""
    state.add_retry(
        errors=["States.ALL"],
        interval=cdk.Duration.seconds(interval),
        backoff_rate=2,
        max_attempts=attempts,
        max_delay=cdk.Duration.minutes(5),
        jitter_strategy=sfn.JitterType.FULL,
    )


def literal_substitutions(request: Any) -> dict[str, str]:
    """``${name}`` placeholders that EMR itself expands (``${emr.clusterId}`` in custom auto-scaling alarms).

    CloudFormation treats ``${name}`` in a state machine's ``DefinitionString`` as a definition substitution
    (cfn-lint E1029); mapping each one to itself keeps it literal for EMR. CDK tokens are not placeholders.
    """
    found: dict[str, str] = {}
    if isinstance(request, str):
        for name in _PLACEHOLDER.findall(request):
            found[name] = "${" + name + "}"
    elif isinstance(request, dict):
        for value in request.values():
            found.update(literal_substitutions(value))
    elif isinstance(request, list | tuple):
        for value in request:
            found.update(literal_substitutions(value))
    return found
