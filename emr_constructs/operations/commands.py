"""The ``submit`` and ``status`` subcommands: arguments (usage errors exit 2) and runs (AWS errors exit 1)."""

from __future__ import annotations

import argparse
import re

from emr_constructs.operations.clients import new_client, run_operation
from emr_constructs.operations.clusters import CLUSTER_ID_OUTPUT, cluster_id_from_stack, cluster_status
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
    "Add a Spark step (spark-submit --deploy-mode cluster through command-runner.jar) to a running cluster. "
    "The step id goes to stdout alone, so scripts can capture it; progress and errors go to stderr. "
    "Exit 0: added (with --wait: COMPLETED); 1: AWS error, or the step FAILED, was CANCELLED or INTERRUPTED; "
    "2: usage error; 130: interrupted (a step already added keeps running)."
)
STATUS_DESCRIPTION = (
    "Show a cluster's state, release, applications, instance fleets or groups with their capacity, managed "
    "scaling limits, auto-termination and most recent steps. Exit 0: shown; 1: AWS error; 2: usage error."
)
TARGET_EPILOG = (
    f"--stack reads the cluster id from the stack's {CLUSTER_ID_OUTPUT} output (CloudFormation DescribeStacks). "
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
    target.add_argument("--stack", metavar="NAME", help=f"a deployed cluster stack (its {CLUSTER_ID_OUTPUT} output)")
    target.add_argument("--cluster-id", metavar="ID", type=_cluster_id, help="an EMR cluster id, j-...")
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
    parser.add_argument("--name", type=_step_name, help="step name (default: 'spark: <file name>')")
    parser.add_argument("--execution-role", metavar="ARN", type=_role_arn, help="runtime role for the step")
    parser.add_argument(
        "--action-on-failure",
        choices=ACTIONS_ON_FAILURE,
        default="CONTINUE",
        help="what the cluster does if the step fails (default CONTINUE, the only one allowed with concurrent steps)",
    )
    parser.add_argument("--wait", action="store_true", help="follow the step until it ends; exit 1 unless COMPLETED")
    parser.add_argument(
        "--poll-seconds",
        type=_positive,
        default=DEFAULT_POLL_SECONDS,
        metavar="N",
        help=f"seconds between DescribeStep calls with --wait (default {DEFAULT_POLL_SECONDS})",
    )


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = STATUS_DESCRIPTION
    parser.epilog = TARGET_EPILOG
    _add_target_arguments(parser)
    parser.add_argument(
        "--steps", type=_step_count, default=10, metavar="N", help="how many recent steps to list (default 10)"
    )


def _resolve(arguments: argparse.Namespace) -> str:
    if arguments.cluster_id:
        return str(arguments.cluster_id)
    return cluster_id_from_stack(new_client("cloudformation", arguments.region), arguments.stack)


def run_submit(arguments: argparse.Namespace) -> int:
    submission = SparkSubmission(
        script=arguments.spark,
        name=arguments.name,
        args=tuple(arguments.args),
        conf=parse_conf(arguments.conf),
        main_class=arguments.main_class,
        action_on_failure=arguments.action_on_failure,
    )

    def operation() -> int:
        cluster_id = _resolve(arguments)
        return submit(
            new_client("emr", arguments.region),
            cluster_id,
            submission,
            execution_role=arguments.execution_role,
            wait=arguments.wait,
            poll_seconds=arguments.poll_seconds,
        )

    return run_operation(operation)


def run_status(arguments: argparse.Namespace) -> int:
    def operation() -> int:
        cluster_id = _resolve(arguments)
        print(cluster_status(new_client("emr", arguments.region), cluster_id, steps=arguments.steps))
        return 0

    return run_operation(operation)


__all__ = ["add_status_arguments", "add_submit_arguments", "run_status", "run_submit"]
