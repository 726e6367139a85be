"""Add a Spark step to a running cluster and wait for it, with the step shapes the constructs render."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from emr_constructs.operations.clients import OperationError
from emr_constructs.operations.clusters import ENDED_STATES, describe_cluster, format_time
from emr_constructs.render.steps import COMMAND_RUNNER, hadoop_jar_step, spark_submit_args, step_config

if TYPE_CHECKING:
    from mypy_boto3_emr import EMRClient
    from mypy_boto3_emr.type_defs import StepTypeDef

ACTIONS_ON_FAILURE = ("CONTINUE", "CANCEL_AND_WAIT", "TERMINATE_CLUSTER")
DONE_STATES = frozenset({"COMPLETED", "CANCELLED", "FAILED", "INTERRUPTED"})
DEFAULT_POLL_SECONDS = 30

sleep: Callable[[float], None] = time.sleep
"""The wait between polls; looked up at call time so tests can replace it."""


@dataclass(frozen=True)
class SparkSubmission:
    """One ``spark-submit --deploy-mode cluster`` step through ``command-runner.jar``."""

    script: str
    name: str | None = None
    args: tuple[str, ...] = ()
    conf: Mapping[str, str] = field(default_factory=dict)
    main_class: str | None = None
    action_on_failure: str = "CONTINUE"

    @property
    def step_name(self) -> str:
        return self.name or f"spark: {self.script.rsplit('/', 1)[-1]}"

    def step_config(self) -> dict[str, Any]:
        """The ``StepConfig`` of ``AddJobFlowSteps``, built by the helpers the constructs render steps with."""
        args = spark_submit_args(self.script, main_class=self.main_class, args=self.args, conf=self.conf)
        return step_config(self.step_name, self.action_on_failure, hadoop_jar_step(COMMAND_RUNNER, args))


def add_step(emr: EMRClient, cluster_id: str, submission: SparkSubmission, execution_role: str | None = None) -> str:
    """``AddJobFlowSteps`` with one Spark step (and ``ExecutionRoleArn`` when given); the new step's id."""
    request: dict[str, Any] = {"JobFlowId": cluster_id, "Steps": [submission.step_config()]}
    if execution_role:
        request["ExecutionRoleArn"] = execution_role
    response = emr.add_job_flow_steps(**request)
    return response["StepIds"][0]


def log_location(step: StepTypeDef, cluster_log_uri: str | None, cluster_id: str) -> str | None:
    """Where the step's logs land: ``FailureDetails.LogFile``, else ``<LogUri>/<cluster>/steps/<step>/``."""
    log_file = step.get("Status", {}).get("FailureDetails", {}).get("LogFile")
    if log_file:
        return log_file
    if not cluster_log_uri:
        return None
    base = cluster_log_uri.rstrip("/")
    if base.startswith("s3n://"):  # EMR reports s3n:// URIs; the same objects, as the S3 tools name them
        base = "s3://" + base[len("s3n://") :]
    return f"{base}/{cluster_id}/steps/{step.get('Id', '')}/"


def _stamp() -> str:
    return format_time(datetime.now(UTC))


def wait_for_step(
    emr: EMRClient, cluster_id: str, step_id: str, *, poll_seconds: float, out: TextIO | None = None
) -> StepTypeDef:
    """Poll ``DescribeStep`` until the step ends, printing a timestamped line (stderr) on every state change."""
    out = out or sys.stderr
    previous = ""
    while True:
        step = emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]
        state = step.get("Status", {}).get("State", "UNKNOWN")
        if state != previous:
            reason = step.get("Status", {}).get("StateChangeReason", {}).get("Message")
            print(f"{_stamp()}  {step_id}  {state}" + (f"  ({reason})" if reason else ""), file=out, flush=True)
            previous = state
        if state in DONE_STATES:
            return step
        sleep(poll_seconds)


def report_failure(step: StepTypeDef, cluster_log_uri: str | None, cluster_id: str, out: TextIO | None = None) -> None:
    """The failure's reason, message and log location (stderr)."""
    out = out or sys.stderr
    status = step.get("Status", {})
    details = status.get("FailureDetails", {})
    print(f"error: step {step.get('Id', '?')} {status.get('State', '?')}", file=out)
    print(f"  reason: {details.get('Reason') or '-'}", file=out)
    print(f"  message: {details.get('Message') or status.get('StateChangeReason', {}).get('Message') or '-'}", file=out)
    location = log_location(step, cluster_log_uri, cluster_id)
    if location:
        print(f"  logs: {location} (EMR copies step logs to S3 every few minutes)", file=out)
    else:
        print(
            "  logs: the cluster has no LogUri; read them on the primary node under /mnt/var/log/hadoop/steps/",
            file=out,
        )


def submit(
    emr: EMRClient,
    cluster_id: str,
    submission: SparkSubmission,
    *,
    execution_role: str | None = None,
    wait: bool = False,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    out: TextIO | None = None,
    progress: TextIO | None = None,
) -> int:
    """Add the step and print its id on ``out`` (alone, for scripts); with ``wait``, follow it on ``progress``.

    Returns 0 when added (or, waiting, when it COMPLETED) and 1 when it FAILED, was CANCELLED or INTERRUPTED."""
    out, progress = out or sys.stdout, progress or sys.stderr
    cluster = describe_cluster(emr, cluster_id)
    state = cluster.get("Status", {}).get("State", "UNKNOWN")
    if state in ENDED_STATES:
        raise OperationError(f"cluster {cluster_id} is {state}: it accepts no new steps")
    step_id = add_step(emr, cluster_id, submission, execution_role)
    print(step_id, file=out, flush=True)
    print(f"added step {step_id} ({submission.step_name}) to cluster {cluster_id}", file=progress, flush=True)
    if not wait:
        return 0
    try:
        step = wait_for_step(emr, cluster_id, step_id, poll_seconds=poll_seconds, out=progress)
    except KeyboardInterrupt:
        print(f"stopped waiting; step {step_id} keeps running on cluster {cluster_id}", file=progress)
        return 130
    except Exception:
        print(
            f"note: step {step_id} was added to cluster {cluster_id}; "
            f"follow it with: emr-constructs status --cluster-id {cluster_id}",
            file=progress,
        )
        raise
    timeline = step.get("Status", {}).get("Timeline", {})
    if step.get("Status", {}).get("State") == "COMPLETED":
        print(f"step {step_id} COMPLETED at {format_time(timeline.get('EndDateTime'))}", file=progress)
        return 0
    report_failure(step, cluster.get("LogUri"), cluster_id, out=progress)
    return 1


def parse_conf(pairs: Sequence[str]) -> dict[str, str]:
    """``K=V`` strings to a mapping (later keys win); ``ValueError`` names a malformed one."""
    conf: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--conf {pair!r} is not KEY=VALUE (e.g. spark.executor.memory=4g)")
        conf[key.strip()] = value
    return conf
