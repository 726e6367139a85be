"""What an EMR Serverless application defined here and one imported by its id share: grants and metrics.

``IEmrServerlessApplication`` is a ``Protocol``, like aws-cdk-lib's interfaces in Python (``IBucket``).
"""

from __future__ import annotations

from typing import Any, Protocol

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

SERVICE = "emr-serverless.amazonaws.com"
NAMESPACE = "AWS/EMRServerless"
JOB_RUN_ACTIONS = (
    "emr-serverless:StartJobRun",
    "emr-serverless:GetJobRun",
    "emr-serverless:ListJobRuns",
    "emr-serverless:CancelJobRun",
    "emr-serverless:GetApplication",
)
#: What the submitter of a job run needs on the key of the application's encrypted logs.
LOG_KEY_SUBMITTER_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


class IEmrServerlessApplication(IConstruct, Protocol):
    """An EMR Serverless application defined here or elsewhere."""

    @property
    def application_id(self) -> str: ...

    @property
    def application_name(self) -> str: ...

    @property
    def application_arn(self) -> str: ...

    @property
    def execution_role(self) -> iam.IRole | None: ...

    @property
    def log_key(self) -> kms.IKey | None: ...

    def grant_start_job_run(self, grantee: iam.IGrantable) -> iam.Grant: ...

    def metric(
        self, metric_name: str, *, dimensions: dict[str, str] | None = None, **options: object
    ) -> cloudwatch.Metric: ...


class ServerlessApplicationBase(Construct):
    """Grants and metrics from ``application_id``, ``application_name``, ``application_arn`` and
    ``execution_role``, which subclasses provide."""

    application_id: str
    application_name: str
    application_arn: str
    execution_role: iam.IRole | None
    log_key: kms.IKey | None

    def grant_start_job_run(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start, follow and cancel job runs on this application, passing its execution role
        (``iam:PassRole`` on that role only, to EMR Serverless only; nothing to pass when it is not known), and use
        the key of its encrypted logs (EMR Serverless rejects a run whose submitter may not: "Encrypting logs")."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(JOB_RUN_ACTIONS),
            resource_arns=[self.application_arn, f"{self.application_arn}/jobruns/*"],
        )
        if self.execution_role is not None:
            iam.Grant.add_to_principal(
                grantee=grantee,
                actions=["iam:PassRole"],
                resource_arns=[self.execution_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": SERVICE}},
            )
        if self.log_key is not None:
            self.log_key.grant(grantee, *LOG_KEY_SUBMITTER_ACTIONS)
        return grant

    def metric(
        self, metric_name: str, *, dimensions: dict[str, str] | None = None, **options: object
    ) -> cloudwatch.Metric:
        """``AWS/EMRServerless`` ``metric_name`` of this application: dimensions ``ApplicationId`` and
        ``ApplicationName`` (the set the service publishes from emr-7.10.0; the older set without the name is no
        longer updated, EMR Serverless User Guide "app-job-metrics"), plus ``dimensions`` (``WorkerType``,
        ``CapacityAllocationType`` for the worker metrics). Default: the average over 5 minutes."""
        return cloudwatch.Metric(
            namespace=NAMESPACE,
            metric_name=metric_name,
            dimensions_map={
                "ApplicationId": self.application_id,
                "ApplicationName": self.application_name,
                **(dimensions or {}),
            },
            **options,  # type: ignore[arg-type]
        )

    def metric_failed_jobs(self, **options: Any) -> cloudwatch.Metric:
        """Job runs that failed. Default: the sum over 5 minutes."""
        options.setdefault("statistic", "Sum")
        return self.metric("FailedJobs", **options)

    def metric_running_jobs(self, **options: Any) -> cloudwatch.Metric:
        """Job runs running. Default: the maximum over 5 minutes."""
        options.setdefault("statistic", "Maximum")
        return self.metric("RunningJobs", **options)

    def metric_success_jobs(self, **options: Any) -> cloudwatch.Metric:
        """Job runs that succeeded. Default: the sum over 5 minutes."""
        options.setdefault("statistic", "Sum")
        return self.metric("SuccessJobs", **options)

    def metric_pending_jobs(self, **options: Any) -> cloudwatch.Metric:
        """Job runs waiting for capacity (the maximum capacity or a service quota). Default: the maximum over 5
        minutes."""
        options.setdefault("statistic", "Maximum")
        return self.metric("PendingJobs", **options)

    def metric_running_workers(self, worker_type: str | None = None, **options: Any) -> cloudwatch.Metric:
        """Workers running (``RunningWorkerCount``), of ``worker_type`` when given (for Spark ``SPARK_DRIVER`` or
        ``SPARK_EXECUTORS``). Default: all workers, the maximum over 5 minutes."""
        options.setdefault("statistic", "Maximum")
        dimensions = {"WorkerType": worker_type} if worker_type else None
        return self.metric("RunningWorkerCount", dimensions=dimensions, **options)

    def metric_max_cpu_allowed(self, **options: Any) -> cloudwatch.Metric:
        """The vCPUs the maximum capacity allows (``MaxCPUAllowed``), to compare with ``CPUAllocated``. Default:
        the maximum over 5 minutes."""
        options.setdefault("statistic", "Maximum")
        return self.metric("MaxCPUAllowed", **options)


class ImportedEmrServerlessApplication(ServerlessApplicationBase):
    """An application defined elsewhere, known by its id and name (what ``from_application_attributes`` returns)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application_id: str,
        application_name: str,
        execution_role: iam.IRole | None = None,
        log_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.application_id = application_id
        self.application_name = application_name
        self.execution_role = execution_role
        self.log_key = log_key
        self.application_arn = cdk.Stack.of(self).format_arn(
            service="emr-serverless",
            resource="/applications",
            resource_name=application_id,
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
