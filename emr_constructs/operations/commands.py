"""The ``submit`` and ``status`` subcommands: arguments (usage errors exit 2) and runs (AWS errors exit 1).

A target is a cluster (``--cluster-id``, or a stack with a ``ClusterId`` output) or an EMR Serverless application
(``--application-id``, or a stack with an ``ApplicationId`` output, which wins when a stack has both)."""

from __future__ import annotations

import argparse
import re
import sys

from emr_constructs.operations.clients import new_client, run_operation
from emr_constructs.operations.clusters import (
    CLUSTER_ID_OUTPUT,
    cluster_id_from_outputs,
    cluster_status,
    stack_outputs,
)
from emr_constructs.operations.serverless import (
    APPLICATION_ID_OUTPUT,
    EXECUTION_ROLE_ARN_OUTPUT,
    SERVICE,
    JobSubmission,
    ServerlessTarget,
    application_id,
    application_status,
    execution_timeout,
    log_uri,
    submit_job,
    target_from_outputs,
)
from emr_constructs.operations.steps import (
    ACTIONS_ON_FAILURE,
    DEFAULT_POLL_SECONDS,
    SparkSubmission,
    parse_conf,
    submit,
)

CLUSTER_ID = re.compile(r"^j-[0-9A-Z]{1,64}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
MAX_STEP_NAME = 256
MAX_STEPS_LISTED = 1000

SUBMIT_DESCRIPTION = (
    "Add a Spark step (spark-submit --deploy-mode cluster through command-runner.jar) to a running cluster, or "
    "start a Spark job run (StartJobRun, sparkSubmit) on an EMR Serverless application. "
    "The step or job run id goes to stdout alone, so scripts can capture it; progress and errors go to stderr. "
    "Exit 0: added (with --wait: COMPLETED, or SUCCESS for a job run); 1: AWS error, or the step FAILED, was "
    "CANCELLED or INTERRUPTED (a job run FAILED or was CANCELLED); 2: usage error; 130: interrupted (a step or job "
    "run already added keeps running)."
)
STATUS_DESCRIPTION = (
    "Show a cluster's state, release, applications, instance fleets or groups with their capacity, managed "
    "scaling limits, auto-termination and most recent steps; or a Serverless application's state, release, type, "
    "architecture, capacities, auto-start and auto-stop and most recent job runs. "
    "Exit 0: shown; 1: AWS error; 2: usage error."
)
TARGET_EPILOG = (
    f"--stack reads the cluster id from the stack's {CLUSTER_ID_OUTPUT} output (CloudFormation DescribeStacks); "
    f"a stack with an {APPLICATION_ID_OUTPUT} output is a Serverless application, whose job runs get its "
    f"{EXECUTION_ROLE_ARN_OUTPUT} output unless --execution-role says otherwise, and the application's own log "
    "settings unless --log-uri gives another S3 location. "
    "Credentials and region come from the usual AWS sources (profile, environment, instance role); "
    "throttled calls are retried in botocore's standard mode."
)


def _cluster_id(value: str) -> str:
    if not CLUSTER_ID.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an EMR cluster id (j-XXXXXXXXXXXXX)")
    return value


def _s3_uri(value: str) -> str:
    if not value.startswith("s3://") or len(value) <= len("s3://") or value.endswith("/"):
        raise argparse.ArgumentTypeError(f"{value!r} is not an S3 object URI (s3://bucket/path/job.py)")
    return value


def _role_arn(value: str) -> str:
    if not ROLE_ARN.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    return value


def _conf_pair(value: str) -> str:
    try:
        parse_conf([value])
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _step_name(value: str) -> str:
    if not value.strip() or len(value) > MAX_STEP_NAME:
        raise argparse.ArgumentTypeError(f"step names are 1..{MAX_STEP_NAME} characters")
    return value


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is below 1")
    return number


def _step_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 0 <= number <= MAX_STEPS_LISTED:
        raise argparse.ArgumentTypeError(f"{number} is out of range; choose 0..{MAX_STEPS_LISTED}")
    return number


def _add_target_arguments(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--stack",
        metavar="NAME",
        help=f"a deployed cluster stack (its {CLUSTER_ID_OUTPUT} output) or Serverless one ({APPLICATION_ID_OUTPUT})",
    )
    target.add_argument("--cluster-id", metavar="ID", type=_cluster_id, help="an EMR cluster id, j-...")
    target.add_argument("--application-id", metavar="ID", type=application_id, help="an EMR Serverless application id")
    parser.add_argument("--region", help="AWS region (default: the profile's or AWS_DEFAULT_REGION)")


def add_submit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = SUBMIT_DESCRIPTION
    parser.epilog = TARGET_EPILOG
    _add_target_arguments(parser)
    parser.add_argument("--spark", required=True, metavar="S3_URI", type=_s3_uri, help="PySpark file or JAR in S3")
    parser.add_argument(
        "--arg",
        dest="args",
        action="append",
        default=[],
        metavar="A",
        help="an argument for the job (repeatable; --arg=-x for one that starts with -)",
    )
    parser.add_argument(
        "--conf", action="append", default=[], metavar="K=V", type=_conf_pair, help="a Spark setting (repeatable)"
    )
    parser.add_argument("--main-class", metavar="CLASS", help="the main class of a JAR (spark-submit --class)")
    parser.add_argument("--name", type=_step_name, help="step or job run name (default: 'spark: <file name>')")
    parser.add_argument(
        "--execution-role",
        metavar="ARN",
        type=_role_arn,
        help=f"runtime role for the step; for a job run (required) default: the stack's {EXECUTION_ROLE_ARN_OUTPUT}",
    )
    parser.add_argument(
        "--action-on-failure",
        choices=ACTIONS_ON_FAILURE,
        help="clusters: what the cluster does if the step fails (default CONTINUE, the only one allowed with "
        "concurrent steps)",
    )
    parser.add_argument(
        "--execution-timeout-minutes",
        type=execution_timeout,
        metavar="N",
        help="Serverless: cancel the job run after N minutes (default: the service's; from emr-7.11.0 a BATCH job "
        "takes 1..10080)",
    )
    parser.add_argument(
        "--log-uri",
        type=log_uri,
        metavar="S3_URI",
        help="Serverless: the job run's S3 log location, sent without a key (default: the application's own "
        "setting, with its key)",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="follow the step (job run) until it ends; exit 1 unless COMPLETED (SUCCESS)",
    )
    parser.add_argument(
        "--poll-seconds",
        type=_positive,
        default=DEFAULT_POLL_SECONDS,
        metavar="N",
        help=f"seconds between DescribeStep (GetJobRun) calls with --wait (default {DEFAULT_POLL_SECONDS})",
    )
    parser.set_defaults(usage_error=parser.error)


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = STATUS_DESCRIPTION
    parser.epilog = TARGET_EPILOG
    _add_target_arguments(parser)
    parser.add_argument(
        "--steps",
        "--job-runs",
        dest="steps",
        type=_step_count,
        default=10,
        metavar="N",
        help="how many recent steps (job runs) to list (default 10)",
    )


def _resolve(arguments: argparse.Namespace) -> str | ServerlessTarget:
    """The cluster id, or the Serverless target (options over the stack's outputs)."""
    if arguments.cluster_id:
        return str(arguments.cluster_id)
    role, logs = getattr(arguments, "execution_role", None), getattr(arguments, "log_uri", None)
    if arguments.application_id:
        return ServerlessTarget(arguments.application_id, role, logs)
    outputs, status = stack_outputs(new_client("cloudformation", arguments.region), arguments.stack)
    if outputs.get(APPLICATION_ID_OUTPUT):
        found = target_from_outputs(arguments.stack, outputs)
        # The stack's LogUri is the application's own S3 log setting (with its key): the run inherits it, and a
        # job-level logUri without the key would replace it.
        return ServerlessTarget(found.application_id, role or found.execution_role, logs)
    return cluster_id_from_outputs(arguments.stack, outputs, status)


def _misfit(arguments: argparse.Namespace, serverless: bool) -> str | None:
    """The options given that do not fit the target, as a usage message; ``None`` if all fit."""
    if serverless:
        if arguments.action_on_failure is not None:
            return "--action-on-failure applies to cluster steps, not to Serverless job runs"
        return None
    for option in ("execution_timeout_minutes", "log_uri"):
        if getattr(arguments, option) is not None:
            return f"--{option.replace('_', '-')} applies to Serverless job runs, not to cluster steps"
    return None


def _job_problem(arguments: argparse.Namespace, job: JobSubmission, target: ServerlessTarget | None) -> str | None:
    """Why a Serverless job run cannot be sent as asked (``target`` once resolved), or ``None``."""
    problem = _misfit(arguments, True)
    if problem is None and target is not None and target.execution_role is None:
        problem = f"stack {arguments.stack} has no {EXECUTION_ROLE_ARN_OUTPUT} output: give --execution-role ARN"
    if problem is None and target is None and not arguments.execution_role:
        problem = "--application-id needs --execution-role ARN (the job run's runtime role)"
    try:
        job.spark_submit_parameters()
    except ValueError as error:
        problem = problem or str(error)
    return problem


def run_submit(arguments: argparse.Namespace) -> int:
    conf = parse_conf(arguments.conf)
    action = arguments.action_on_failure or "CONTINUE"
    submission = SparkSubmission(
        arguments.spark, arguments.name, tuple(arguments.args), conf, arguments.main_class, action
    )
    job = JobSubmission(
        arguments.spark,
        arguments.name,
        tuple(arguments.args),
        conf,
        arguments.main_class,
        arguments.execution_timeout_minutes,
    )
    # Usage errors that the options alone show exit 2 before any AWS call; a stack's kind is known only later.
    problem = _job_problem(arguments, job, None) if arguments.application_id else None
    problem = _misfit(arguments, False) if arguments.cluster_id else problem
    if problem is not None:
        arguments.usage_error(problem)

    def operation() -> int:
        target = _resolve(arguments)
        late = None
        if arguments.stack and isinstance(target, ServerlessTarget):
            late = _job_problem(arguments, job, target)
        elif arguments.stack:
            late = _misfit(arguments, False)
        if late is not None:
            print(f"error: {late}", file=sys.stderr)
            return 2
        if isinstance(target, ServerlessTarget):
            client = new_client(SERVICE, arguments.region)
            return submit_job(client, target, job, wait=arguments.wait, poll_seconds=arguments.poll_seconds)
        return submit(
            new_client("emr", arguments.region),
            target,
            submission,
            execution_role=arguments.execution_role,
            wait=arguments.wait,
            poll_seconds=arguments.poll_seconds,
        )

    return run_operation(operation)


def run_status(arguments: argparse.Namespace) -> int:
    def operation() -> int:
        target = _resolve(arguments)
        if isinstance(target, ServerlessTarget):
            client = new_client(SERVICE, arguments.region)
            print(application_status(client, target.application_id, job_runs=arguments.steps))
        else:
            print(cluster_status(new_client("emr", arguments.region), target, steps=arguments.steps))
        return 0

    return run_operation(operation)


__all__ = ["add_status_arguments", "add_submit_arguments", "run_status", "run_submit"]
