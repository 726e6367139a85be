"""A CloudWatch dashboard per cluster: its alarms, YARN, HDFS, node health, capacity and node metrics."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from emr_constructs.monitoring.alarms import capacity_metrics, cluster_metric
from emr_constructs.spec import ClusterSpec
from emr_constructs.spec.node_metrics import NAMESPACE as AGENT_NAMESPACE

_WIDTH = 12
_HEIGHT = 6


def _graph(title: str, cluster_id: str, *names: str, right: tuple[str, ...] = ()) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title,
        left=[cluster_metric(cluster_id, name) for name in names],
        right=[cluster_metric(cluster_id, name) for name in right],
        width=_WIDTH,
        height=_HEIGHT,
    )


def _capacity(spec: ClusterSpec, cluster_id: str) -> cloudwatch.GraphWidget:
    if spec.instance_fleets is not None and spec.managed_scaling is not None:
        names = [f"{scope}Units{state}" for scope in ("Total", "Core", "Task") for state in ("Requested", "Running")]
        return _graph("Capacity: fleet units requested and running (managed scaling)", cluster_id, *names)
    if spec.instance_groups is not None:
        return _graph(
            "Capacity: nodes running and pending",
            cluster_id,
            "CoreNodesRunning",
            "TaskNodesRunning",
            right=("CoreNodesPending", "TaskNodesPending"),
        )
    return cloudwatch.GraphWidget(
        title="Capacity: live data nodes (fleets without managed scaling publish no unit metrics)",
        left=[cluster_metric(cluster_id, "LiveDataNodes")],
        width=_WIDTH,
        height=_HEIGHT,
    )


def _node_metrics(cluster_id: str, metric: str, title: str) -> cloudwatch.GraphWidget:
    # One line per node, found by the agent's dimensions (CWAgent namespace).
    dimensions = "cluster.id,instance.id,node.type,service.name"
    search = (
        f'SEARCH(\'{{{AGENT_NAMESPACE},{dimensions}}} MetricName="{metric}" cluster.id="{cluster_id}"\', '
        "'Average', 300)"
    )
    return cloudwatch.GraphWidget(
        title=title,
        left=[cloudwatch.MathExpression(expression=search, using_metrics={}, label="", period=cdk.Duration.minutes(5))],
        width=_WIDTH,
        height=_HEIGHT,
    )


def cluster_dashboard(
    scope: Construct,
    id: str,
    *,
    spec: ClusterSpec,
    cluster_id: str,
    dashboard_name: str,
    alarms: Mapping[str, cloudwatch.IAlarm],
) -> cloudwatch.Dashboard:
    """The dashboard ``dashboard_name`` for the cluster ``cluster_id``."""
    region = cdk.Stack.of(scope).region
    console = f"https://{region}.console.aws.amazon.com/emr/home?region={region}#/clusterDetails/{cluster_id}"
    dashboard = cloudwatch.Dashboard(scope, id, dashboard_name=dashboard_name, default_interval=cdk.Duration.hours(6))
    dashboard.add_widgets(
        cloudwatch.TextWidget(
            markdown=f"# EMR cluster {spec.name}\n{spec.release_label.label}, [{cluster_id}]({console}) in the console",
            width=_WIDTH * 2,
            height=2,
        )
    )
    if alarms:
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms.values()), width=_WIDTH * 2, height=3)
        )
    dashboard.add_widgets(
        _graph("Activity: idle (1) and applications", cluster_id, "AppsRunning", "AppsPending", right=("IsIdle",)),
        _graph(
            "YARN: memory available (%) and container pending ratio",
            cluster_id,
            "YARNMemoryAvailablePercentage",
            right=("ContainerPendingRatio",),
        ),
    )
    dashboard.add_widgets(
        _graph(
            "HDFS: utilisation (%) and capacity remaining (GB)",
            cluster_id,
            "HDFSUtilization",
            right=("CapacityRemainingGB",),
        ),
        _graph("Node health: unhealthy and lost nodes", cluster_id, "MRUnhealthyNodes", "MRLostNodes"),
    )
    shortfall = capacity_metrics(spec, cluster_id)
    dashboard.add_widgets(
        _capacity(spec, cluster_id),
        cloudwatch.GraphWidget(
            title="Capacity shortfall (requested but not running)",
            left=list(shortfall.values()) or [cluster_metric(cluster_id, "LiveDataNodes")],
            width=_WIDTH,
            height=_HEIGHT,
        ),
    )
    if (
        spec.node_metrics is not None
        and spec.node_metrics.system_metrics
        and spec.node_metrics.prometheus_endpoint is None
    ):
        dashboard.add_widgets(
            _node_metrics(cluster_id, "cpu_usage_active", "Nodes: CPU active (%)"),
            _node_metrics(cluster_id, "mem_used_percent", "Nodes: memory used (%)"),
        )
    return dashboard
