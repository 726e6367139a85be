"""Operations on deployed clusters over boto3: submit Spark steps, follow them, report cluster status."""

from emr_constructs.operations.clients import (
    MAX_RETRIES,
    ClientFactory,
    OperationError,
    describe_failure,
    make_client,
    run_operation,
)
from emr_constructs.operations.clusters import CLUSTER_ID_OUTPUT, cluster_id_from_stack, cluster_status
from emr_constructs.operations.commands import add_status_arguments, add_submit_arguments, run_status, run_submit
from emr_constructs.operations.steps import SparkSubmission, add_step, log_location, submit, wait_for_step

__all__ = [
    "CLUSTER_ID_OUTPUT",
    "MAX_RETRIES",
    "ClientFactory",
    "OperationError",
    "SparkSubmission",
    "add_status_arguments",
    "add_step",
    "add_submit_arguments",
    "cluster_id_from_stack",
    "cluster_status",
    "describe_failure",
    "log_location",
    "make_client",
    "run_operation",
    "run_status",
    "run_submit",
    "submit",
    "wait_for_step",
]
