"""What a virtual cluster defined here and one imported by its id share: grants and job run events.

``IEmrVirtualCluster`` is a ``Protocol``, like aws-cdk-lib's interfaces in Python (``IBucket``). EMR on EKS
publishes no CloudWatch metrics of its own (job runs report through EventBridge, source ``aws.emr-containers``,
detail type ``EMR Job Run State Change``), so the event helper stands where other constructs have ``metric*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

EVENT_SOURCE = "aws.emr-containers"
JOB_RUN_EVENT = "EMR Job Run State Change"
#: What following a run takes besides starting it (Step Functions Developer Guide, "IAM policies for Amazon EMR
#: on EKS", startJobRun.sync).
FOLLOW_ACTIONS = ("emr-containers:DescribeJobRun", "emr-containers:CancelJobRun")


class IEmrVirtualCluster(IConstruct, Protocol):
    """An EMR on EKS virtual cluster defined here or elsewhere."""

    @property
    def virtual_cluster_id(self) -> str: ...

    @property
    def virtual_cluster_arn(self) -> str: ...

    @property
    def execution_role(self) -> iam.IRole | None: ...

    def grant_start_job_run(self, grantee: iam.IGrantable) -> iam.Grant: ...

    def on_job_run_state_change(
        self, id: str, *, states: Sequence[str] | None = None, **options: object
    ) -> events.Rule: ...


class VirtualClusterBase(Construct):
    """Grants and events from ``virtual_cluster_id``, ``virtual_cluster_arn`` and ``execution_role``, which
    subclasses provide."""

    virtual_cluster_id: str
    virtual_cluster_arn: str
    execution_role: iam.IRole | None

    def grant_start_job_run(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` start job runs on this virtual cluster as its execution role only (condition
        ``emr-containers:ExecutionRoleArn``; with no known role, as any role), list them (ListJobRuns authorizes
        on the virtual cluster, Service Authorization Reference), and follow and cancel them."""
        conditions = (
            {"StringEquals": {"emr-containers:ExecutionRoleArn": self.execution_role.role_arn}}
            if self.execution_role is not None
            else None
        )
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["emr-containers:StartJobRun"],
            resource_arns=[self.virtual_cluster_arn],
            conditions=conditions,
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["emr-containers:ListJobRuns", "emr-containers:DescribeVirtualCluster"],
            resource_arns=[self.virtual_cluster_arn],
        )
        iam.Grant.add_to_principal(grantee=grantee, actions=list(FOLLOW_ACTIONS), resource_arns=[self.job_runs_arn])
        return grant

    @property
    def job_runs_arn(self) -> str:
        """Every job run of this virtual cluster (``.../virtualclusters/<id>/jobruns/*``)."""
        return f"{self.virtual_cluster_arn}/jobruns/*"

    def on_job_run_state_change(
        self, id: str, *, states: Sequence[str] | None = None, **options: object
    ) -> events.Rule:
        """An EventBridge rule for this virtual cluster's job run state changes, of ``states`` only when given
        (``FAILED``, ``COMPLETED``, ...); ``options`` as ``events.Rule`` takes them (``targets`` for example).

        :param states: the job run states to match.
            Default: every state.
        """
        detail: dict[str, object] = {"virtualClusterId": [self.virtual_cluster_id]}
        if states:
            detail["state"] = list(states)
        return events.Rule(
            self,
            id,
            event_pattern=events.EventPattern(source=[EVENT_SOURCE], detail_type=[JOB_RUN_EVENT], detail=detail),
            **options,  # type: ignore[arg-type]
        )


def virtual_cluster_arn(scope: Construct, virtual_cluster_id: str) -> str:
    """``arn:<partition>:emr-containers:<region>:<account>:/virtualclusters/<id>``."""
    return cdk.Stack.of(scope).format_arn(
        service="emr-containers",
        resource="/virtualclusters",
        resource_name=virtual_cluster_id,
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )


class ImportedEmrVirtualCluster(VirtualClusterBase):
    """A virtual cluster defined elsewhere, known by its id (what ``from_virtual_cluster_attributes`` returns)."""

    def __init__(
        self, scope: Construct, id: str, *, virtual_cluster_id: str, execution_role: iam.IRole | None = None
    ) -> None:
        super().__init__(scope, id)
        self.virtual_cluster_id = virtual_cluster_id
        self.execution_role = execution_role
        self.virtual_cluster_arn = virtual_cluster_arn(self, virtual_cluster_id)
