"""A CloudWatch dashboard per cluster: its alarms, YARN, HDFS, node health, capacity and node metrics.

The body is plain data rendered here, in the JSON CloudWatch takes ("Dashboard body structure and syntax"), and
handed to ``cloudwatch.Dashboard`` as one widget: no metric or widget object per graph, so the dashboard costs a
few calls into aws-cdk-lib whatever it shows. Metric options follow CloudWatch's defaults: the statistic
``Average`` and the period of 300 seconds are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from emr_constructs.monitoring.alarms import NAMESPACE
from emr_constructs.spec import ClusterSpec
from emr_constructs.spec.node_metrics import NAMESPACE as AGENT_NAMESPACE

_WIDTH = 12
_HEIGHT = 6
_FULL = 24

Widget = dict[str, Any]
#: ``cdk.Aws.REGION`` (``{"Ref": "AWS::Region"}`` once resolved): the region each graph shows, read once.
_REGION = cdk.Aws.REGION


def _metric(cluster_id: str, name: str, **options: Any) -> list[Any]:
    """``[namespace, name, "JobFlowId", id, {options}]``; the options only when there are any."""
    line: list[Any] = [NAMESPACE, name, "JobFlowId", cluster_id]
    return [*line, options] if options else line


def _graph(title: str, metrics: Sequence[list[Any]]) -> Widget:
    properties = {"view": "timeSeries", "title": title, "region": _REGION, "metrics": list(metrics)}
    return {"type": "metric", "width": _WIDTH, "height": _HEIGHT, "properties": {**properties, "yAxis": {}}}


def _lines(cluster_id: str, left: Sequence[str], right: Sequence[str] = ()) -> list[list[Any]]:
    return [_metric(cluster_id, name) for name in left] + [_metric(cluster_id, name, yAxis="right") for name in right]


def _capacity(spec: ClusterSpec, cluster_id: str) -> Widget:
    if spec.instance_fleets is not None and spec.managed_scaling is not None:
        names = [f"{scope}Units{state}" for scope in ("Total", "Core", "Task") for state in ("Requested", "Running")]
        return _graph("Capacity: fleet units requested and running (managed scaling)", _lines(cluster_id, names))
    if spec.instance_groups is not None:
        return _graph(
            "Capacity: nodes running and pending",
            _lines(
                cluster_id, ("CoreNodesRunning", "TaskNodesRunning"), right=("CoreNodesPending", "TaskNodesPending")
            ),
        )
    return _graph(
        "Capacity: live data nodes (fleets without managed scaling publish no unit metrics)",
        _lines(cluster_id, ("LiveDataNodes",)),
    )


def _shortfall(spec: ClusterSpec, cluster_id: str) -> Widget:
    """What the capacity-shortfall alarm watches (``alarms.capacity_metrics``), as graph lines."""
    title = "Capacity shortfall (requested but not running)"
    if spec.instance_groups is not None:
        kinds = [kind for kind in ("Core", "Task") if kind == "Core" or spec.instance_groups.tasks]
        return _graph(title, [_metric(cluster_id, f"{kind}NodesPending", stat="Minimum") for kind in kinds])
    if spec.managed_scaling is None:
        return _graph(title, _lines(cluster_id, ("LiveDataNodes",)))
    hidden = {"visible": False, "stat": "Minimum"}
    return _graph(
        title,
        [
            [{"label": "Units requested - running", "expression": "requested - running"}],
            _metric(cluster_id, "TotalUnitsRequested", id="requested", **hidden),
            _metric(cluster_id, "TotalUnitsRunning", id="running", **hidden),
        ],
    )


def _node_metrics(cluster_id: str, metric: str, title: str) -> Widget:
    # One line per node, found by the agent's dimensions (CWAgent namespace).
    dimensions = "cluster.id,instance.id,node.type,service.name"
    search = (
        f'SEARCH(\'{{{AGENT_NAMESPACE},{dimensions}}} MetricName="{metric}" cluster.id="{cluster_id}"\', '
        "'Average', 300)"
    )
    return _graph(title, [[{"expression": search}]])


def dashboard_rows(spec: ClusterSpec, cluster_id: str, alarm_arns: Sequence[str], region: str) -> list[list[Widget]]:
    """The widgets, row by row, without their positions."""
    console = f"https://{region}.console.aws.amazon.com/emr/home?region={region}#/clusterDetails/{cluster_id}"
    markdown = f"# EMR cluster {spec.name}\n{spec.release_label.label}, [{cluster_id}]({console}) in the console"
    rows: list[list[Widget]] = [[{"type": "text", "width": _FULL, "height": 2, "properties": {"markdown": markdown}}]]
    if alarm_arns:
        alarms = {"title": "Alarms", "alarms": list(alarm_arns)}
        rows.append([{"type": "alarm", "width": _FULL, "height": 3, "properties": alarms}])
    rows.append(
        [
            _graph(
                "Activity: idle (1) and applications", _lines(cluster_id, ("AppsRunning", "AppsPending"), ("IsIdle",))
            ),
            _graph(
                "YARN: memory available (%) and container pending ratio",
                _lines(cluster_id, ("YARNMemoryAvailablePercentage",), ("ContainerPendingRatio",)),
            ),
        ]
    )
    rows.append(
        [
            _graph(
                "HDFS: utilisation (%) and capacity remaining (GB)",
                _lines(cluster_id, ("HDFSUtilization",), ("CapacityRemainingGB",)),
            ),
            _graph("Node health: unhealthy and lost nodes", _lines(cluster_id, ("MRUnhealthyNodes", "MRLostNodes"))),
        ]
    )
    rows.append([_capacity(spec, cluster_id), _shortfall(spec, cluster_id)])
    metrics = spec.node_metrics
    if metrics is not None and metrics.system_metrics and metrics.prometheus_endpoint is None:
        rows.append(
            [
                _node_metrics(cluster_id, "cpu_usage_active", "Nodes: CPU active (%)"),
                _node_metrics(cluster_id, "mem_used_percent", "Nodes: memory used (%)"),
            ]
        )
    return rows


class _Rendered(cloudwatch.ConcreteWidget):
    """Rows of rendered widgets as one widget: CloudWatch's row layout (left to right, each row below the tallest
    widget of the one before), placed where the dashboard puts this widget. A ``ConcreteWidget`` keeps its size and
    position in aws-cdk-lib, so the dashboard's layout asks Python nothing and rendering calls ``to_json`` once."""

    def __init__(self, rows: list[list[Widget]]) -> None:
        super().__init__(_FULL, sum(int(max(widget["height"] for widget in row)) for row in rows))
        self._rows = rows

    def to_json(self) -> list[Any]:
        placed = []
        y = int(self._y or 0)
        left = int(self._x or 0)
        for row in self._rows:
            x = left
            for widget in row:
                placed.append(
                    {
                        "type": widget["type"],
                        "width": widget["width"],
                        "height": widget["height"],
                        "x": x,
                        "y": y,
                        "properties": widget["properties"],
                    }
                )
                x += widget["width"]
            y += max(widget["height"] for widget in row)
        return placed


def cluster_dashboard(
    scope: Construct,
    id: str,
    *,
    spec: ClusterSpec,
    cluster_id: str,
    dashboard_name: str,
    alarm_arns: Sequence[str],
) -> cloudwatch.Dashboard:
    """The dashboard ``dashboard_name`` for the cluster ``cluster_id``, with the alarms ``alarm_arns``."""
    region = cdk.Stack.of(scope).region
    rows = dashboard_rows(spec, cluster_id, alarm_arns, region)
    return cloudwatch.Dashboard(
        scope,
        id,
        dashboard_name=dashboard_name,
        default_interval=cdk.Duration.hours(6),
        widgets=[[_Rendered(rows)]],
    )
