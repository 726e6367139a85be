"""TransientJobFlow's state graph, read from the synthesised definition: a cluster whose id is known is terminated on
every path, the wait loop ends on every outcome and is bounded, and nothing that can launch a cluster or run a step
is ever repeated.

Sources: Step Functions Developer Guide, "Create and manage Amazon EMR clusters with Step Functions"
(https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr.html): "Step Functions does not terminate an
Amazon EMR cluster automatically if execution is stopped ... ensure that any Amazon EMR cluster you create is
terminated properly"; "Handling errors in Step Functions workflows"
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html): "All states, except Pass and
Wait states, can encounter runtime errors", and ``States.ALL`` matches every error name (``States.Timeout`` among
them) except ``States.DataLimitExceeded`` and ``States.Runtime``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from emr_constructs import ClusterSpec
from emr_constructs.iam._acknowledge import flatten_cfn_reference
from emr_constructs.jobflow import TransientJobFlow
from emr_constructs.jobflow import states as names
from emr_constructs.jobs import CommandStep, SparkStep
from stacks import project_context
from tests.constructs.test_cluster import ENV, FLEETS, GROUPS, _vpc
from tests.constructs.test_transient_job_flow import _transient

#: Stack name → (cluster_timeout, number of steps).
FLOWS = {"Fleets": (cdk.Duration.hours(1), 3), "Groups": (cdk.Duration.minutes(45), 1), "Slow": (None, 2)}
SLOW_TIMEOUT = cdk.Duration.days(30)  # far more polls than MAX_POLLS at 60 s


@pytest.fixture(scope="module")
def definitions() -> dict[str, dict[str, Any]]:
    app = cdk.App(context=project_context())
    payloads = {"Fleets": _transient(FLEETS), "Groups": _transient(GROUPS), "Slow": _transient(FLEETS)}
    for name, payload in payloads.items():
        timeout, count = FLOWS[name]
        stack = cdk.Stack(app, name, env=ENV)
        TransientJobFlow(
            stack,
            "JobFlow",
            spec=ClusterSpec.model_validate(payload),
            steps=[CommandStep(f"step {i}", ("ls",)) for i in range(count - 1)]
            + [SparkStep("report", "s3://tools-bucket/report.py")],
            vpc=_vpc(stack),
            log_bucket=s3.Bucket.from_bucket_name(stack, "Logs", "logs-bucket"),
            cluster_timeout=timeout or SLOW_TIMEOUT,
        )
    outdir = Path(app.synth().directory)
    found: dict[str, dict[str, Any]] = {}
    for name in payloads:
        template = json.loads((outdir / f"{name}.template.json").read_text())
        (machine,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
        body = machine["Properties"]["DefinitionString"]
        delimiter, pieces = body["Fn::Join"]
        text = delimiter.join(p if isinstance(p, str) else flatten_cfn_reference(p) for p in pieces)
        found[name] = json.loads(text)
    return found


# -- a small reader of the state graph ------------------------------------------------------------------------


def _edges(state: dict[str, Any]) -> Iterator[str]:
    """Every state this one can move to: Next, each catcher, each choice and the default."""
    if "Next" in state:
        yield state["Next"]
    for catcher in state.get("Catch", []):
        yield catcher["Next"]
    for rule in state.get("Choices", []):
        yield rule["Next"]
    if "Default" in state:
        yield state["Default"]


def _reachable(states: dict[str, Any], start: str, avoid: frozenset[str] = frozenset()) -> set[str]:
    """States reachable from ``start`` without entering ``avoid`` (the cycle of the wait loop included)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name in avoid:
            continue
        seen.add(name)
        todo.extend(_edges(states[name]))
    return seen


def _holds(rule: dict[str, Any], data: dict[str, Any]) -> bool:
    """Evaluate the Choice rule operators the job flow uses, the way the States Language defines them."""
    if "And" in rule:
        return all(_holds(r, data) for r in rule["And"])
    if "Or" in rule:
        return any(_holds(r, data) for r in rule["Or"])
    if "Not" in rule:
        return not _holds(rule["Not"], data)
    value: Any = data
    present = True
    for key in rule["Variable"].removeprefix("$.").split("."):
        if not isinstance(value, dict) or key not in value:
            present = False
            break
        value = value[key]
    if "IsPresent" in rule:
        return present is rule["IsPresent"]
    assert present, f"{rule['Variable']} is compared without an IsPresent guard: a States.Runtime error"
    if "StringEquals" in rule:
        return bool(value == rule["StringEquals"])
    if "NumericGreaterThanEquals" in rule:
        return bool(value >= rule["NumericGreaterThanEquals"])
    raise AssertionError(f"operator not modelled here: {rule}")


def _choose(states: dict[str, Any], name: str, data: dict[str, Any]) -> str:
    choice = states[name]
    for rule in choice["Choices"]:
        if _holds(rule, data):
            return str(rule["Next"])
    return str(choice["Default"])


def _status(state: str | None, polls: int) -> dict[str, Any]:
    status = {} if state is None else {"State": state, "StateChangeReason": {"Code": "X"}}
    return {"Cluster": {"ClusterId": "j-1"}, "ClusterStatus": {"Status": status}, "ClusterWait": {"Polls": polls}}


def _happy_path(states: dict[str, Any], start: str) -> list[str]:
    """The states visited when every task succeeds and the first DescribeCluster sees WAITING."""
    path = [start]
    while True:
        state = states[path[-1]]
        if state["Type"] == "Choice":
            path.append(_choose(states, path[-1], _status("WAITING", 1)))
        elif "Next" in state:
            path.append(state["Next"])
        else:
            return path


TERMINATES = frozenset({names.TERMINATE_CLUSTER, names.TERMINATE_AFTER_FAILURE})


# -- the path of a good run --------------------------------------------------------------------------------------


def test_a_good_run_creates_waits_runs_the_steps_in_order_terminates_and_notifies(
    definitions: dict[str, dict[str, Any]],
) -> None:
    definition = definitions["Fleets"]
    assert _happy_path(definition["States"], definition["StartAt"]) == [
        names.CREATE_CLUSTER,
        names.START_WAITING,
        names.WAIT_FOR_CLUSTER,
        names.DESCRIBE_CLUSTER,
        names.IS_CLUSTER_READY,
        "Step01-step-0",
        "Step02-step-1",
        "Step03-report",
        names.TERMINATE_CLUSTER,
        names.NOTIFY_SUCCESS,
        names.SUCCEEDED,
    ]


# -- item 6: a known cluster id is always terminated -----------------------------------------------------------


@pytest.mark.parametrize("name", FLOWS)
def test_no_path_after_the_cluster_id_is_known_ends_without_terminating(
    definitions: dict[str, dict[str, Any]], name: str
) -> None:
    """From the state after RunJobFlow returned, every path (every Next, every catcher, every choice, the wait
    loop's cycle) meets a terminate state before it can end; every state on the way that can fail catches
    ``States.ALL`` into that path (a task's timeout included), and the ones that cannot fail are Pass, Wait and a
    Choice with a default."""
    states = definitions[name]["States"]
    create = states[names.CREATE_CLUSTER]
    assert create["ResultSelector"] == {"ClusterId.$": "$.JobFlowId"} and create["ResultPath"] == names.CLUSTER_PATH
    before_terminate = _reachable(states, create["Next"], avoid=TERMINATES)
    assert names.DESCRIBE_CLUSTER in before_terminate and any(s.startswith("Step01-") for s in before_terminate)
    for state_name in before_terminate:
        state = states[state_name]
        assert state["Type"] in {"Task", "Pass", "Wait", "Choice"}, f"{state_name} ends the execution"
        assert "End" not in state, f"{state_name} ends the execution before the cluster is terminated"
        if state["Type"] == "Task":
            assert state["TimeoutSeconds"] > 0, f"{state_name} could wait forever"
            (catcher,) = state["Catch"]
            assert catcher["ErrorEquals"] == ["States.ALL"] and catcher["Next"] in before_terminate | TERMINATES
            assert catcher["ResultPath"] == names.ERROR_PATH
        if state["Type"] == "Choice":
            assert "Default" in state
    # Every terminate state is reached, and what follows one only reports and fails (or succeeds).
    assert {e for s in before_terminate for e in _edges(states[s])} & TERMINATES == TERMINATES
    for terminate in TERMINATES:
        assert states[terminate]["Catch"][0]["Next"] == names.NOTIFY_TERMINATION_FAILURE
    assert states[names.TERMINATE_AFTER_FAILURE]["Next"] == names.NOTIFY_FAILURE
    assert states[names.NOTIFY_FAILURE]["Next"] == names.FAILED == states[names.NOTIFY_TERMINATION_FAILURE]["Next"]
    assert states[names.FAILED]["Type"] == "Fail"


@pytest.mark.parametrize("name", FLOWS)
def test_the_only_path_without_terminating_is_a_failed_run_job_flow(
    definitions: dict[str, dict[str, Any]], name: str
) -> None:
    states = definitions[name]["States"]
    (catcher,) = states[names.CREATE_CLUSTER]["Catch"]
    assert catcher == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": names.NOTIFY_CREATE_FAILURE}
    assert _reachable(states, names.NOTIFY_CREATE_FAILURE) == {names.NOTIFY_CREATE_FAILURE, names.FAILED}
    # ... and nothing leads back to CreateCluster.
    assert all(names.CREATE_CLUSTER not in _edges(state) for state in states.values())


def test_a_step_that_fails_or_times_out_terminates_the_cluster(definitions: dict[str, dict[str, Any]]) -> None:
    states = definitions["Fleets"]["States"]
    steps = [key for key in states if key.startswith("Step")]
    assert len(steps) == 3
    for key in steps:
        assert states[key]["Resource"] == "arn:aws:states:::elasticmapreduce:addStep.sync"
        assert states[key]["TimeoutSeconds"] == 6 * 3600  # its States.Timeout is caught by States.ALL
        assert states[key]["Catch"] == [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": names.TERMINATE_AFTER_FAILURE}
        ]


# -- item 6: no retry that could launch a second cluster or run a step twice -----------------------------------


@pytest.mark.parametrize("name", FLOWS)
def test_run_job_flow_and_add_step_are_never_retried(definitions: dict[str, dict[str, Any]], name: str) -> None:
    """RunJobFlow and AddJobFlowSteps have no idempotency token, and Step Functions documents no error name that
    singles out EMR throttling: neither is retried on any error. Only idempotent calls are."""
    states = definitions[name]["States"]
    create = states[names.CREATE_CLUSTER]
    assert "Retry" not in create
    assert create["Resource"] == "arn:aws:states:::aws-sdk:emr:runJobFlow"  # request-response: no .sync
    for key, state in states.items():
        if key.startswith("Step"):
            assert "Retry" not in state
    for key in (names.DESCRIBE_CLUSTER, *TERMINATES):
        (retry,) = states[key]["Retry"]
        assert retry["ErrorEquals"] == ["States.ALL"]
        assert retry["BackoffRate"] == 2 and retry["JitterStrategy"] == "FULL" and retry["MaxAttempts"] <= 4


# -- the wait loop ---------------------------------------------------------------------------------------------


def test_the_wait_loop_polls_describe_cluster_for_the_cluster_id(definitions: dict[str, dict[str, Any]]) -> None:
    states = definitions["Fleets"]["States"]
    describe = states[names.DESCRIBE_CLUSTER]
    assert describe["Resource"] == "arn:aws:states:::aws-sdk:emr:describeCluster"
    assert describe["Parameters"] == {"ClusterId.$": "$.Cluster.ClusterId"}
    # Only the status is kept: the full description could exceed the payload quota (States.DataLimitExceeded).
    assert describe["ResultSelector"] == {"Status.$": "$.Cluster.Status"}
    assert describe["ResultPath"] == names.CLUSTER_STATUS_PATH
    assert states[names.START_WAITING]["Result"] == {"Polls": 1}
    assert states[names.WAIT_FOR_CLUSTER] == {"Type": "Wait", "Seconds": 60, "Next": names.DESCRIBE_CLUSTER}
    assert states[names.COUNT_POLL]["Parameters"] == {"Polls.$": "States.MathAdd($.ClusterWait.Polls, 1)"}
    assert states[names.COUNT_POLL]["Next"] == names.WAIT_FOR_CLUSTER


@pytest.mark.parametrize("ended", names.ENDED_STATES)
def test_the_wait_loop_fails_on_a_cluster_that_ended(definitions: dict[str, dict[str, Any]], ended: str) -> None:
    states = definitions["Fleets"]["States"]
    for polls in (1, 59):
        assert _choose(states, names.IS_CLUSTER_READY, _status(ended, polls)) == names.CLUSTER_ENDED
    failure = states[names.CLUSTER_ENDED]
    assert failure["Type"] == "Pass" and failure["ResultPath"] == names.ERROR_PATH
    assert failure["Parameters"] == {
        "Error": names.CLUSTER_ENDED_ERROR,
        "Cause.$": "States.JsonToString($.ClusterStatus.Status)",
    }
    assert failure["Next"] == names.TERMINATE_AFTER_FAILURE


@pytest.mark.parametrize("starting", ["STARTING", "BOOTSTRAPPING", "RUNNING", None])
def test_the_wait_loop_keeps_polling_then_gives_up(
    definitions: dict[str, dict[str, Any]], starting: str | None
) -> None:
    states = definitions["Fleets"]["States"]
    for polls in range(1, 60):
        assert _choose(states, names.IS_CLUSTER_READY, _status(starting, polls)) == names.COUNT_POLL
    assert _choose(states, names.IS_CLUSTER_READY, _status(starting, 60)) == names.CLUSTER_START_TIMED_OUT
    timed_out = states[names.CLUSTER_START_TIMED_OUT]
    assert timed_out["Parameters"]["Error"] == names.CLUSTER_START_TIMEOUT_ERROR
    assert timed_out["ResultPath"] == names.ERROR_PATH and timed_out["Next"] == names.TERMINATE_AFTER_FAILURE
    # A cluster that is ready on the last poll still runs its steps.
    assert _choose(states, names.IS_CLUSTER_READY, _status("WAITING", 60)) == "Step01-step-0"


@pytest.mark.parametrize("name", FLOWS)
def test_the_wait_is_bounded_by_the_cluster_timeout(definitions: dict[str, dict[str, Any]], name: str) -> None:
    states = definitions[name]["States"]
    timeout = int((FLOWS[name][0] or SLOW_TIMEOUT).to_seconds())
    interval = states[names.WAIT_FOR_CLUSTER]["Seconds"]
    (limit,) = [r for r in states[names.IS_CLUSTER_READY]["Choices"] if "NumericGreaterThanEquals" in r]
    polls = limit["NumericGreaterThanEquals"]
    assert limit["Variable"] == names.POLLS_PATH and limit["Next"] == names.CLUSTER_START_TIMED_OUT
    assert interval >= names.POLL_INTERVAL_SECONDS and polls <= names.MAX_POLLS
    assert timeout <= polls * interval < timeout + interval
    assert (interval, polls) == names.poll_schedule(timeout)
    if name == "Slow":  # a month of waiting polls less often, within Step Functions' 25,000 history events
        assert interval == math.ceil(timeout / names.MAX_POLLS) and polls == names.MAX_POLLS


def test_every_task_has_a_timeout_and_the_execution_a_limit(definitions: dict[str, dict[str, Any]]) -> None:
    groups = definitions["Groups"]
    for state in groups["States"].values():
        if state["Type"] == "Task":
            assert 0 < state["TimeoutSeconds"] <= 6 * 3600
    for key in (names.CREATE_CLUSTER, names.DESCRIBE_CLUSTER, names.NOTIFY_FAILURE):
        assert groups["States"][key]["TimeoutSeconds"] == names.REQUEST_TIMEOUT_SECONDS
    assert groups["States"][names.TERMINATE_CLUSTER]["TimeoutSeconds"] == 45 * 60
    assert groups["TimeoutSeconds"] == 2 * 45 * 60 + 6 * 3600 + 3600


def test_poll_schedule_never_exceeds_the_poll_cap() -> None:
    for timeout in (1, 59, 60, 61, 3600, 30_000, 30_001, 86_400, 99_999_999):
        interval, polls = names.poll_schedule(timeout)
        assert interval >= 60 and 1 <= polls <= names.MAX_POLLS and polls * interval >= timeout
