"""``ClusterBase``: the metrics, grants and steps that ``EmrCluster`` and an imported cluster share."""

from __future__ import annotations

import abc

import aws_cdk as cdk
import jsii
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emr as emr
from aws_cdk import aws_iam as iam
from constructs import Construct

from emr_constructs.jobs import Step
from emr_constructs.monitoring.alarms import NAMESPACE
from emr_constructs.spec.monitoring import PERIOD_MINUTES

#: What ``grant_add_steps`` allows on the cluster's ARN.
ADD_STEPS_ACTIONS = (
    "elasticmapreduce:AddJobFlowSteps",
    "elasticmapreduce:CancelSteps",
    "elasticmapreduce:DescribeStep",
    "elasticmapreduce:ListSteps",
)
#: What ``grant_describe`` allows on the cluster's ARN: the read actions whose resource type is ``cluster``
#: (Service Authorization Reference, "Actions, resources, and condition keys for Amazon Elastic MapReduce").
DESCRIBE_ACTIONS = (
    "elasticmapreduce:DescribeCluster",
    "elasticmapreduce:DescribeStep",
    "elasticmapreduce:GetAutoTerminationPolicy",
    "elasticmapreduce:GetManagedScalingPolicy",
    "elasticmapreduce:ListBootstrapActions",
    "elasticmapreduce:ListInstanceFleets",
    "elasticmapreduce:ListInstanceGroups",
    "elasticmapreduce:ListInstances",
    "elasticmapreduce:ListSteps",
)
EMR_SERVICE = "elasticmapreduce.amazonaws.com"


@jsii.implements(iam.IGrantable, ec2.IConnectable)
class ClusterBase(Construct, metaclass=jsii.JSIIAbstractClass):
    """The surface of ``IEmrCluster`` built on ``cluster_id`` and the roles a subclass knows.

    Metrics are per 5-minute period unless ``period`` says otherwise; the named ``metric_*`` helpers use the
    statistic each documents (the one the ``EmrMonitoring`` alarm on that metric uses).
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        #: The ``AWS::EMR::Step`` resources added to this cluster, by step name, in submission order.
        self.steps: dict[str, emr.CfnStep] = {}
        self._last_step: emr.CfnStep | None = None

    # --- what a subclass knows ----------------------------------------------------------------------------

    @property
    @abc.abstractmethod
    def cluster_id(self) -> str:
        """The cluster id (``j-...``)."""

    @property
    @abc.abstractmethod
    def instance_role(self) -> iam.IRole | None:
        """The role of the cluster's EC2 instances, if known."""

    @property
    @abc.abstractmethod
    def grant_principal(self) -> iam.IPrincipal:
        """Who gets the grants made to the cluster."""

    @property
    @abc.abstractmethod
    def connections(self) -> ec2.Connections:
        """The cluster's security groups."""

    def _runtime_role_arns(self) -> list[str]:
        """ARNs of the runtime roles that steps may run as (``grant_add_steps`` lets the grantee pass them)."""
        return []

    # --- identity -------------------------------------------------------------------------------------------

    @property
    def cluster_arn(self) -> str:
        """``arn:<partition>:elasticmapreduce:<region>:<account>:cluster/<cluster id>``."""
        return cdk.Stack.of(self).format_arn(
            service="elasticmapreduce", resource="cluster", resource_name=self.cluster_id
        )

    # --- metrics --------------------------------------------------------------------------------------------

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
        """Metric ``metric_name`` of namespace ``AWS/ElasticMapReduce`` with dimension ``JobFlowId`` = this
        cluster's id. ``statistic`` defaults to Average, ``period`` to 5 minutes (EMR publishes every 5 minutes);
        ``dimensions_map`` adds dimensions to ``JobFlowId``."""
        return cloudwatch.Metric(
            namespace=NAMESPACE,
            metric_name=metric_name,
            dimensions_map={"JobFlowId": self.cluster_id, **(dimensions_map or {})},
            statistic=statistic or "Average",
            period=period or cdk.Duration.minutes(PERIOD_MINUTES),
            label=label,
            unit=unit,
            color=color,
            account=account,
            region=region,
        )

    def metric_is_idle(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``IsIdle`` (1 while the cluster runs no work): Minimum over ``period`` (default 5 minutes)."""
        return self.metric("IsIdle", statistic="Minimum", period=period)

    def metric_apps_pending(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``AppsPending`` (YARN applications waiting): Minimum over ``period`` (default 5 minutes)."""
        return self.metric("AppsPending", statistic="Minimum", period=period)

    def metric_container_pending_ratio(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``ContainerPendingRatio`` (pending / allocated containers): Average over ``period`` (default 5 min)."""
        return self.metric("ContainerPendingRatio", statistic="Average", period=period)

    def metric_yarn_memory_available_percentage(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``YARNMemoryAvailablePercentage``: Average over ``period`` (default 5 minutes)."""
        return self.metric("YARNMemoryAvailablePercentage", statistic="Average", period=period)

    def metric_hdfs_utilization(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``HDFSUtilization`` (percent of HDFS used): Maximum over ``period`` (default 5 minutes)."""
        return self.metric("HDFSUtilization", statistic="Maximum", period=period)

    def metric_capacity_remaining_gb(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``CapacityRemainingGB`` (HDFS space left): Minimum over ``period`` (default 5 minutes)."""
        return self.metric("CapacityRemainingGB", statistic="Minimum", period=period)

    def metric_mr_unhealthy_nodes(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``MRUnhealthyNodes`` (YARN nodes UNHEALTHY): Maximum over ``period`` (default 5 minutes)."""
        return self.metric("MRUnhealthyNodes", statistic="Maximum", period=period)

    def metric_mr_lost_nodes(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``MRLostNodes`` (YARN nodes LOST): Maximum over ``period`` (default 5 minutes)."""
        return self.metric("MRLostNodes", statistic="Maximum", period=period)

    def metric_total_units_requested(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``TotalUnitsRequested`` (managed scaling's target capacity): Minimum over ``period`` (default 5 min).
        Published for clusters with managed scaling only."""
        return self.metric("TotalUnitsRequested", statistic="Minimum", period=period)

    def metric_total_units_running(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``TotalUnitsRunning`` (capacity running under managed scaling): Minimum over ``period`` (default 5
        minutes). Published for clusters with managed scaling only."""
        return self.metric("TotalUnitsRunning", statistic="Minimum", period=period)

    def metric_core_nodes_pending(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``CoreNodesPending`` (instance groups only): Minimum over ``period`` (default 5 minutes)."""
        return self.metric("CoreNodesPending", statistic="Minimum", period=period)

    def metric_task_nodes_pending(self, *, period: cdk.Duration | None = None) -> cloudwatch.Metric:
        """``TaskNodesPending`` (instance groups only): Minimum over ``period`` (default 5 minutes)."""
        return self.metric("TaskNodesPending", statistic="Minimum", period=period)

    # --- grants ---------------------------------------------------------------------------------------------

    def grant_add_steps(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` add, describe, list and cancel steps on this cluster; and, when the cluster has runtime
        roles, pass them to EMR (``iam:PassRole`` with ``iam:PassedToService`` = EMR) for the steps that run as
        one (``ExecutionRoleArn``)."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee, actions=list(ADD_STEPS_ACTIONS), resource_arns=[self.cluster_arn]
        )
        runtime_roles = self._runtime_role_arns()
        if runtime_roles:
            grant = grant.combine(
                iam.Grant.add_to_principal(
                    grantee=grantee,
                    actions=["iam:PassRole"],
                    resource_arns=runtime_roles,
                    conditions={"StringEquals": {"iam:PassedToService": EMR_SERVICE}},
                )
            )
        return grant

    def grant_describe(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read this cluster: its state, instances, fleets or groups, bootstrap actions, steps and
        scaling and auto-termination policies (``DESCRIBE_ACTIONS``) on this cluster's ARN only."""
        return iam.Grant.add_to_principal(
            grantee=grantee, actions=list(DESCRIBE_ACTIONS), resource_arns=[self.cluster_arn]
        )

    # --- steps ----------------------------------------------------------------------------------------------

    def add_step(self, id: str, step: Step) -> emr.CfnStep:
        """Run ``step`` on this cluster: an ``AWS::EMR::Step`` (construct id ``id`` under the cluster) that
        CloudFormation submits after the steps added before it and waits for. A local script becomes an asset
        readable by the instance role. A step with ``execution_role_arn`` is refused: CloudFormation's steps
        cannot carry one (submit it through the EMR API or ``TransientJobFlow``)."""
        if step.execution_role_arn is not None:
            raise ValueError(
                f"{self.node.path}: step {step.name!r} carries an execution role, but AWS::EMR::Step has no "
                "ExecutionRoleArn. Fix: submit it through the EMR API (emr-constructs submit --execution-role, or "
                "TransientJobFlow)"
            )
        if step.name in self.steps:
            raise ValueError(
                f"{self.node.path}: a step named {step.name!r} is already added. Fix: give each step its own name"
            )
        config = step.bind(self, self.instance_role or self)
        jar = config["HadoopJarStep"]
        resource = emr.CfnStep(
            self,
            id,
            job_flow_id=self.cluster_id,
            name=config["Name"],
            action_on_failure=config["ActionOnFailure"],
            hadoop_jar_step=emr.CfnStep.HadoopJarStepConfigProperty(
                jar=jar["Jar"], args=jar.get("Args"), main_class=jar.get("MainClass")
            ),
        )
        if self._last_step is not None:
            resource.add_dependency(self._last_step)  # submitted in the declared order
        self._last_step = resource
        self.steps[config["Name"]] = resource
        return resource
