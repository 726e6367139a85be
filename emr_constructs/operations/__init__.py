"""Operations on deployed clusters and EMR Serverless applications over boto3: submit Spark steps or job runs, follow
them, report status."""

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
from emr_constructs.operations.serverless import (
    APPLICATION_ID_OUTPUT,
    EXECUTION_ROLE_ARN_OUTPUT,
    LOG_URI_OUTPUT,
    JobSubmission,
    ServerlessTarget,
    application_status,
    submit_job,
    wait_for_job_run,
)
from emr_constructs.operations.steps import SparkSubmission, add_step, log_location, submit, wait_for_step

__all__ = [
    "APPLICATION_ID_OUTPUT",
    "CLUSTER_ID_OUTPUT",
    "EXECUTION_ROLE_ARN_OUTPUT",
    "LOG_URI_OUTPUT",
    "MAX_RETRIES",
    "ClientFactory",
    "JobSubmission",
    "OperationError",
    "ServerlessTarget",
    "SparkSubmission",
    "add_status_arguments",
    "add_step",
    "add_submit_arguments",
    "application_status",
    "cluster_id_from_stack",
    "cluster_status",
    "describe_failure",
    "log_location",
    "make_client",
    "run_operation",
    "run_status",
    "run_submit",
    "submit",
    "submit_job",
    "wait_for_job_run",
    "wait_for_step",
]
