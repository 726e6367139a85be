"""``IEmrCluster``: what ``EmrCluster`` and an imported cluster (``EmrCluster.from_cluster_attributes``) share.

Like aws-cdk-lib's own interfaces in Python (``IBucket``, ``IStateMachine``), a ``Protocol``: any construct with
these members is an ``IEmrCluster``, and it is ``IGrantable`` through ``grant_principal``.
"""

from __future__ import annotations

from typing import Protocol

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from emr_constructs.jobs import Step


class IEmrCluster(IConstruct, iam.IGrantable, Protocol):
    """An EMR cluster defined here or elsewhere: its id and ARN, its metrics, grants on it, and steps for it."""

    @property
    def cluster_id(self) -> str:
        """The cluster id (``j-...``)."""
        ...

    @property
    def cluster_arn(self) -> str:
        """``arn:<partition>:elasticmapreduce:<region>:<account>:cluster/<cluster id>``."""
        ...

    @property
    def instance_role(self) -> iam.IRole | None:
        """The role of the cluster's EC2 instances; ``None`` for an import that was not told it."""
        ...

    @property
    def connections(self) -> ec2.Connections:
        """The cluster's security groups (an import without security groups raises)."""
        ...

    def metric(
        self,
        metric_name: str,
        *,
        statistic: str | None = None,
        period: cdk.Duration | None = None,
        label: str | None = None,
        unit: cloudwatch.Unit | None = None,
        color: str | None = None,
        account: str | None = None,
        region: str | None = None,
        dimensions_map: dict[str, str] | None = None,
    ) -> cloudwatch.Metric:
        """Metric ``metric_name`` of namespace ``AWS/ElasticMapReduce`` for this cluster (``JobFlowId``)."""
        ...

    def metric_is_idle(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``IsIdle``: Minimum over 5 minutes."""
        ...

    def metric_apps_pending(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``AppsPending``: Minimum over 5 minutes."""
        ...

    def metric_container_pending_ratio(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``ContainerPendingRatio``: Average over 5 minutes."""
        ...

    def metric_yarn_memory_available_percentage(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``YARNMemoryAvailablePercentage``: Average over 5 minutes."""
        ...

    def metric_hdfs_utilization(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``HDFSUtilization``: Maximum over 5 minutes."""
        ...

    def metric_capacity_remaining_gb(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``CapacityRemainingGB``: Minimum over 5 minutes."""
        ...

    def metric_mr_unhealthy_nodes(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``MRUnhealthyNodes``: Maximum over 5 minutes."""
        ...

    def metric_mr_lost_nodes(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``MRLostNodes``: Maximum over 5 minutes."""
        ...

    def metric_total_units_requested(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``TotalUnitsRequested`` (managed scaling): Minimum over 5 minutes."""
        ...

    def metric_total_units_running(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``TotalUnitsRunning`` (managed scaling): Minimum over 5 minutes."""
        ...

    def metric_core_nodes_pending(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``CoreNodesPending`` (instance groups): Minimum over 5 minutes."""
        ...

    def metric_task_nodes_pending(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``TaskNodesPending`` (instance groups): Minimum over 5 minutes."""
        ...

    def grant_add_steps(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` add, list, describe and cancel this cluster's steps (and pass its runtime roles)."""
        ...

    def grant_describe(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read this cluster's state, instances, steps and policies."""
        ...

    def add_step(self, id: str, step: Step) -> emr.CfnStep:
        """Run ``step`` on this cluster as an ``AWS::EMR::Step`` (construct id ``id``)."""
        ...
