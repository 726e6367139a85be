"""Node metrics from the Amazon CloudWatch agent (EMR Release Guide, "Amazon CloudWatch agent").

emr-7.0.0 and later ship the agent as the ``AmazonCloudWatchAgent`` application; from emr-7.1.0 it is configured
through the ``emr-metrics`` classification (application JMX metrics, Prometheus destination). Below 7.0 the
library installs the agent with a bootstrap action that publishes the same default system metrics under the
same namespace and dimensions, so dashboards and alarms read both alike.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationSpec

#: Where the agent publishes (AmazonCloudWatchAgent-metrics.html): namespace and dimension names.
NAMESPACE = "CWAgent"
DIMENSIONS = ("cluster.id", "instance.id", "node.type", "service.name")
#: The name of the bootstrap action that installs the agent below emr-7.0.0 (reserved on such clusters).
AGENT_BOOTSTRAP_ACTION = "node-metrics-agent"

ApplicationMetricsName = Literal[
    "hdfs-datanode",
    "hdfs-namenode",
    "yarn-nodemanager",
    "yarn-resourcemanager",
    "hbase-master",
    "hbase-region-server",
    "hbase-rest-server",
    "hbase-thrift-server",
]

#: Short name -> (nested classification of ``emr-metrics``, application that runs the daemon)
#: (AmazonCloudWatchAgent-config-710.html, "Configuration schema").
APPLICATION_CLASSIFICATIONS: dict[str, tuple[str, str]] = {
    "hdfs-datanode": ("emr-hadoop-hdfs-datanode-metrics", "Hadoop"),
    "hdfs-namenode": ("emr-hadoop-hdfs-namenode-metrics", "Hadoop"),
    "yarn-nodemanager": ("emr-hadoop-yarn-nodemanager-metrics", "Hadoop"),
    "yarn-resourcemanager": ("emr-hadoop-yarn-resourcemanager-metrics", "Hadoop"),
    "hbase-master": ("emr-hbase-master-metrics", "HBase"),
    "hbase-region-server": ("emr-hbase-region-server-metrics", "HBase"),
    "hbase-rest-server": ("emr-hbase-rest-server-metrics", "HBase"),
    "hbase-thrift-server": ("emr-hbase-thrift-server-metrics", "HBase"),
}

#: ``recommended`` attribute sets: the ones in AWS's own examples (EMR Management Guide "Enhanced monitoring
#: with CloudWatch using custom metrics and logs" for the DataNode and NodeManager; aws-emr-best-practices,
#: Observability, for the ResourceManager).
RECOMMENDED: dict[str, dict[str, str]] = {
    "hdfs-datanode": {
        "Hadoop:service=DataNode,name=DataNodeActivity-*": (
            "DatanodeNetworkErrors,TotalReadTime,TotalWriteTime,BytesRead,BytesWritten,RemoteBytesRead,"
            "RemoteBytesWritten,ReadBlockOpNumOps,ReadBlockOpAvgTime,WriteBlockOpNumOps,WriteBlockOpAvgTime"
        ),
    },
    "yarn-nodemanager": {
        "Hadoop:service=NodeManager,name=JvmMetrics": (
            "MemNonHeapUsedM,MemNonHeapCommittedM,MemNonHeapMaxM,MemHeapUsedM,MemHeapCommittedM,MemHeapMaxM,MemMaxM"
        ),
        "Hadoop:service=NodeManager,name=NodeManagerMetrics": (
            "ContainerCpuUtilization,NodeCpuUtilization,ContainersCompleted,ContainersFailed,ContainersKilled,"
            "ContainersLaunched,ContainersRolledBackOnFailure,ContainersRunning,ContainerUsedMemGB,"
            "ContainerUsedVMemGB,ContainerLaunchDurationNumOps,ContainerLaunchDurationAvgTime"
        ),
    },
    "yarn-resourcemanager": {
        "Hadoop:service=ResourceManager,name=ClusterMetrics": (
            "CapabilityMB,CapabilityVirtualCores,UtilizedMB,UtilizedVirtualCores,NumActiveNMs,NumDecommissionedNMs,"
            "NumDecommissioningNMs,NumLostNMs,NumUnhealthyNMs"
        ),
    },
}

_MBEAN = re.compile(r"^[^:=,\s]+:[^=,\s]+=[^=,]+(,[^=,\s]+=[^=,]+)*$")
_ATTRIBUTES = re.compile(r"^[A-Za-z0-9_.*-]+(,[A-Za-z0-9_.*-]+)*$")
#: Amazon Managed Service for Prometheus remote-write URL (AmazonCloudWatchAgent-config-710.html).
PROMETHEUS_ENDPOINT = (
    r"^https://aps-workspaces\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/workspaces/(?P<workspace>ws-[A-Za-z0-9-]+)"
    r"/api/v1/remote_write$"
)


class NodeMetricsSpec(SpecModel):
    """Per-node system and application metrics from the CloudWatch agent, under namespace ``CWAgent`` with the
    dimensions ``cluster.id``, ``instance.id``, ``node.type`` and ``service.name``.

    Defaults: the agent's default system metrics (CPU, disk, memory, network, processes, swap) every 60 s to
    CloudWatch; no application metrics. ``application_metrics`` maps a daemon (``yarn-resourcemanager``, ...) to
    ``recommended`` or to ``{MBean name: "Attribute,Attribute"}``; it, ``export_interval_seconds`` and
    ``prometheus_endpoint`` need emr-7.1.0+. ``system_metrics: false`` turns the system metrics off (7.1.0+).
    The metrics are CloudWatch custom metrics and are charged as such.
    """

    system_metrics: bool = True
    application_metrics: dict[ApplicationMetricsName, Literal["recommended"] | dict[str, str]] = Field(
        default_factory=dict
    )
    export_interval_seconds: int | None = Field(default=None, ge=1, le=3600)
    prometheus_endpoint: str | None = Field(default=None, pattern=PROMETHEUS_ENDPOINT)

    @field_validator("application_metrics")
    @classmethod
    def _check_mbeans(
        cls, value: dict[str, Literal["recommended"] | dict[str, str]]
    ) -> dict[str, Literal["recommended"] | dict[str, str]]:
        for name, chosen in value.items():
            if chosen == "recommended":
                if name not in RECOMMENDED:
                    raise ValueError(
                        f"{name}: there is no recommended set for this daemon. Fix: list its metrics as "
                        "{'<MBean name>': '<Attribute>,<Attribute>'}; recommended sets exist for "
                        + ", ".join(sorted(RECOMMENDED))
                    )
                continue
            if not chosen:
                raise ValueError(f"{name}: no MBeans listed. Fix: list MBeans and attributes, or use recommended")
            for mbean, attributes in chosen.items():
                if not _MBEAN.match(mbean):
                    raise ValueError(
                        f"{name}: {mbean!r} is not a JMX MBean name. Fix: write domain:key=value[,key=value], e.g. "
                        "'Hadoop:service=ResourceManager,name=ClusterMetrics'"
                    )
                if not _ATTRIBUTES.match(attributes):
                    raise ValueError(
                        f"{name}: {attributes!r} for {mbean} is not a comma-separated attribute list. Fix: write "
                        "'NumActiveNMs,NumLostNMs'"
                    )
        return value

    @model_validator(mode="after")
    def _check(self) -> NodeMetricsSpec:
        if self.export_interval_seconds is not None and not self.application_metrics:
            raise ValueError(
                "export_interval_seconds applies to application_metrics, and none are listed. Fix: list "
                "application_metrics or remove export_interval_seconds"
            )
        return self

    @property
    def needs_configuration_api(self) -> bool:
        """True when the settings go beyond the agent's defaults (the ``emr-metrics`` API of emr-7.1.0+)."""
        return bool(self.application_metrics) or self.prometheus_endpoint is not None or not self.system_metrics

    def required_applications(self) -> dict[str, str]:
        """Daemon short name -> the application that must be installed for it."""
        return {name: APPLICATION_CLASSIFICATIONS[name][1] for name in self.application_metrics}

    def prometheus_workspace(self) -> tuple[str, str] | None:
        """(region, workspace id) of the Prometheus endpoint, if any."""
        if self.prometheus_endpoint is None:
            return None
        found = re.match(PROMETHEUS_ENDPOINT, self.prometheus_endpoint)
        assert found is not None  # validated by the field pattern
        return found["region"], found["workspace"]

    def configuration(self) -> ConfigurationSpec | None:
        """The ``emr-metrics`` classification, or None when the agent's defaults are wanted."""
        if not self.needs_configuration_api:
            return None
        nested: list[ConfigurationSpec] = []
        if not self.system_metrics:
            # An empty emr-system-metrics turns system metrics off (EMR Management Guide, "Publish Amazon EMR
            # logs to CloudWatch Logs", enabling logging only).
            nested.append(ConfigurationSpec(classification="emr-system-metrics"))
        for name, chosen in self.application_metrics.items():
            properties = dict(RECOMMENDED[name] if chosen == "recommended" else chosen)
            if self.export_interval_seconds is not None:
                properties["otel.metric.export.interval"] = str(self.export_interval_seconds * 1000)
            nested.append(ConfigurationSpec(classification=APPLICATION_CLASSIFICATIONS[name][0], properties=properties))
        properties = (
            {"metrics_destination": "PROMETHEUS", "prometheus_endpoint": self.prometheus_endpoint}
            if self.prometheus_endpoint is not None
            else {}
        )
        return ConfigurationSpec(classification="emr-metrics", properties=properties, configurations=tuple(nested))
