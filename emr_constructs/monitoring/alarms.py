"""CloudWatch alarms on EMR's cluster metrics (namespace ``AWS/ElasticMapReduce``, dimension ``JobFlowId``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from emr_constructs.spec import ClusterSpec
from emr_constructs.spec.monitoring import ALARMS, PERIOD_MINUTES, MonitoringSpec

NAMESPACE = "AWS/ElasticMapReduce"
_PERIOD = cdk.Duration.minutes(PERIOD_MINUTES)
_OPERATORS = {
    ">=": cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    "<": cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
}


def cluster_metric(cluster_id: str, name: str, statistic: str = "Average") -> cloudwatch.Metric:
    """One of EMR's metrics for this cluster, per five-minute period.

    :param statistic: the CloudWatch statistic.
        Default: ``"Average"``.
    """
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={"JobFlowId": cluster_id},
        statistic=statistic,
        period=_PERIOD,
    )


#: Builds a cluster's metric from (metric name, statistic): ``IEmrCluster.metric`` or ``cluster_metric``.
MetricFactory = Callable[[str, str], cloudwatch.Metric]


def metric_factory(cluster_id: str) -> MetricFactory:
    """The factory for a cluster known only by its id."""
    return partial(cluster_metric, cluster_id)


def capacity_metrics(spec: ClusterSpec, cluster: str | MetricFactory) -> dict[str, cloudwatch.IMetric]:
    """What ``capacity_shortfall`` watches, by label: for fleets with managed scaling the units requested minus
    running; for instance groups the pending core and task nodes. Fleets without managed scaling publish no
    capacity metric (their shortages arrive as Resize events), so the result is empty. ``cluster`` is the
    cluster's id or its metric factory."""
    metric = metric_factory(cluster) if isinstance(cluster, str) else cluster
    if spec.instance_groups is not None:
        return {
            kind: metric(f"{kind}NodesPending", "Minimum")
            for kind in ("Core", "Task")
            if kind == "Core" or spec.instance_groups.tasks
        }
    if spec.managed_scaling is None:
        return {}
    return {
        "Units": cloudwatch.MathExpression(
            expression="requested - running",
            using_metrics={
                "requested": metric("TotalUnitsRequested", "Minimum"),
                "running": metric("TotalUnitsRunning", "Minimum"),
            },
            label="Units requested - running",
            period=_PERIOD,
        )
    }


def cluster_alarms(
    scope: Construct, spec: ClusterSpec, monitoring: MonitoringSpec, cluster: str | MetricFactory
) -> dict[str, cloudwatch.Alarm]:
    """The enabled alarms of ``monitoring``, by construct id, on the metrics of ``cluster`` (its id or its metric
    factory). Missing data (a stopped cluster, a metric that a release does not publish) never breaches."""
    metric_of = metric_factory(cluster) if isinstance(cluster, str) else cluster
    alarms: dict[str, cloudwatch.Alarm] = {}
    for name, default in ALARMS.items():
        enabled, threshold, minutes = monitoring.alarm(name)
        if not enabled:
            continue
        if name == "capacity_shortfall":
            metrics = capacity_metrics(spec, metric_of)
        elif name in ("hdfs_utilization", "capacity_remaining") and "Hadoop" not in {
            app.name for app in spec.installed_applications
        }:
            metrics = {}  # no HDFS, no HDFS metrics
        else:
            metrics = {"": metric_of(default.metric, default.statistic)}
        for suffix, metric in metrics.items():
            alarm_id = "".join(part.capitalize() for part in name.split("_")) + suffix
            meaning = default.meaning.format(threshold=f"{threshold:g}", minutes=minutes)
            alarms[alarm_id] = cloudwatch.Alarm(
                scope,
                alarm_id,
                metric=metric,
                threshold=threshold,
                comparison_operator=_OPERATORS[default.comparison],
                evaluation_periods=minutes // PERIOD_MINUTES,
                datapoints_to_alarm=minutes // PERIOD_MINUTES,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"EMR cluster {spec.name}: {meaning}.",
            )
    return alarms
