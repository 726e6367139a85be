"""Node metrics: the agent per release, the emr-metrics classification, and every rejected value."""

from __future__ import annotations

import re
from typing import Any

import pytest

from emr_constructs.spec import capabilities as cap
from emr_constructs.spec.node_metrics import RECOMMENDED
from tests.spec.payloads import fleet_cluster, old_fleet_cluster, rejects, valid

ENDPOINT = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1a2b3c4d-5e6f/api/v1/remote_write"


def _path(path: str) -> str:
    return rf"^  - {re.escape(path)}: "


def _emr_metrics(payload: dict[str, Any]) -> dict[str, Any] | None:
    spec = valid(payload)
    found = [c for c in spec.merged_configurations() if c.classification == "emr-metrics"]
    return found[0].model_dump() if found else None


def test_defaults_add_the_agent_application_and_no_classification_on_7x() -> None:
    spec = valid(fleet_cluster(release_label="emr-7.0.0", node_metrics={}))

    assert [a.name for a in spec.installed_applications] == ["Spark", "Hadoop", "Hive", "Livy", "AmazonCloudWatchAgent"]
    assert [a.name for a in spec.applications] == ["Spark", "Hadoop", "Hive", "Livy"], "the given list is unchanged"
    assert spec.node_agent_application and not spec.node_agent_bootstrap
    assert spec.node_metrics_configurations() == ()


def test_without_node_metrics_nothing_is_added() -> None:
    spec = valid(fleet_cluster())
    assert "AmazonCloudWatchAgent" not in [a.name for a in spec.installed_applications]
    assert not spec.node_agent_application and not spec.node_agent_bootstrap


def test_a_listed_agent_is_not_added_twice() -> None:
    apps = ["Spark", "Hadoop", "AmazonCloudWatchAgent"]
    spec = valid(fleet_cluster(applications=apps, node_metrics={}))
    assert [a.name for a in spec.installed_applications] == apps


def test_below_7_the_agent_comes_from_a_bootstrap_action() -> None:
    spec = valid(old_fleet_cluster("emr-6.15.0", node_metrics={}))
    assert spec.node_agent_bootstrap and not spec.node_agent_application
    assert "AmazonCloudWatchAgent" not in [a.name for a in spec.installed_applications]


def test_recommended_application_metrics_render_the_emr_metrics_classification() -> None:
    rendered = _emr_metrics(
        fleet_cluster(
            node_metrics={
                "application_metrics": {"yarn-resourcemanager": "recommended", "hdfs-datanode": "recommended"},
                "export_interval_seconds": 30,
            }
        )
    )

    assert rendered is not None
    assert rendered["properties"] == {}
    nested = {c["classification"]: c["properties"] for c in rendered["configurations"]}
    assert sorted(nested) == ["emr-hadoop-hdfs-datanode-metrics", "emr-hadoop-yarn-resourcemanager-metrics"]
    resource_manager = nested["emr-hadoop-yarn-resourcemanager-metrics"]
    assert resource_manager["otel.metric.export.interval"] == "30000", "seconds become milliseconds"
    assert "NumLostNMs" in resource_manager["Hadoop:service=ResourceManager,name=ClusterMetrics"]
    assert {k: v for k, v in resource_manager.items() if k != "otel.metric.export.interval"} == RECOMMENDED[
        "yarn-resourcemanager"
    ]


def test_custom_mbeans_prometheus_and_system_metrics_off() -> None:
    mbeans = {"Hadoop:service=HBase,name=Master,sub=AssignmentManager": "AssignFailedCount,AssignSubmittedCount"}
    rendered = _emr_metrics(
        fleet_cluster(
            applications=["Hadoop", "HBase"],
            node_metrics={
                "application_metrics": {"hbase-master": mbeans},
                "prometheus_endpoint": ENDPOINT,
                "system_metrics": False,
            },
        )
    )

    assert rendered is not None
    assert rendered["properties"] == {"metrics_destination": "PROMETHEUS", "prometheus_endpoint": ENDPOINT}
    assert list(rendered["configurations"]) == [
        {"classification": "emr-system-metrics", "properties": {}, "configurations": ()},
        {"classification": "emr-hbase-master-metrics", "properties": mbeans, "configurations": ()},
    ]
    spec = valid(fleet_cluster(node_metrics={"prometheus_endpoint": ENDPOINT}))
    assert spec.node_metrics is not None
    assert spec.node_metrics.prometheus_workspace() == ("eu-west-1", "ws-1a2b3c4d-5e6f")


def test_a_user_setting_that_disagrees_with_node_metrics_names_both_sources() -> None:
    payload = fleet_cluster(
        node_metrics={"prometheus_endpoint": ENDPOINT},
        configurations=[{"classification": "emr-metrics", "properties": {"metrics_destination": "CLOUDWATCH"}}],
    )
    error = rejects(payload, _path("configurations"))
    assert "node_metrics" in str(error) and "configurations[0]" in str(error)


# -- failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"application_metrics": {"yarn-resourcemanager": "recommended"}}, "application_metrics"),
        ({"prometheus_endpoint": ENDPOINT}, "prometheus_endpoint"),
        ({"system_metrics": False}, "system_metrics"),
    ],
)
@pytest.mark.parametrize("release", ["emr-7.0.0", "emr-6.15.0"])
def test_fails_configuration_api_settings_before_7_1(settings: dict[str, Any], field: str, release: str) -> None:
    error = rejects(old_fleet_cluster(release, node_metrics=settings), _path(f"node_metrics.{field}"))
    assert "emr-7.1.0+" in str(error) and "default system metrics only" in str(error)
    assert cap.CLOUDWATCH_AGENT_CONFIGURATION.source in str(error)


def test_fails_below_amazon_linux_2() -> None:
    rejects(old_fleet_cluster("emr-5.29.0", node_metrics={}), _path("node_metrics") + ".*emr-5.30.0\\+")


def test_fails_application_metrics_without_the_application() -> None:
    payload = fleet_cluster(
        applications=["Spark", "Hadoop"],
        node_metrics={
            "application_metrics": {"hbase-master": {"Hadoop:service=HBase,name=Master,sub=Server": "numRegionServers"}}
        },
    )
    rejects(payload, _path("node_metrics.application_metrics.hbase-master") + "hbase-master metrics come from HBase")


def test_fails_unknown_daemon() -> None:
    rejects(fleet_cluster(node_metrics={"application_metrics": {"spark-driver": "recommended"}}), "spark-driver")


def test_fails_recommended_for_a_daemon_without_a_set() -> None:
    rejects(
        fleet_cluster(node_metrics={"application_metrics": {"hdfs-namenode": "recommended"}}),
        "no recommended set for this daemon",
    )


@pytest.mark.parametrize(
    ("mbeans", "message"),
    [
        ({}, "no MBeans listed"),
        ({"ClusterMetrics": "NumActiveNMs"}, "is not a JMX MBean name"),
        ({"Hadoop:service=ResourceManager,name=ClusterMetrics": "NumActiveNMs; NumLostNMs"}, "not a comma-separated"),
    ],
)
def test_fails_malformed_mbeans(mbeans: dict[str, str], message: str) -> None:
    rejects(fleet_cluster(node_metrics={"application_metrics": {"yarn-resourcemanager": mbeans}}), message)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/query",
        "http://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
        "https://example.com/api/v1/remote_write",
    ],
)
def test_fails_malformed_prometheus_endpoint(endpoint: str) -> None:
    rejects(fleet_cluster(node_metrics={"prometheus_endpoint": endpoint}), "prometheus_endpoint")


def test_fails_export_interval_without_application_metrics() -> None:
    rejects(fleet_cluster(node_metrics={"export_interval_seconds": 30}), "export_interval_seconds applies to")


@pytest.mark.parametrize("seconds", [0, 3601])
def test_fails_export_interval_out_of_range(seconds: int) -> None:
    payload = fleet_cluster(
        node_metrics={
            "application_metrics": {"yarn-resourcemanager": "recommended"},
            "export_interval_seconds": seconds,
        }
    )
    rejects(payload, "export_interval_seconds")


def test_fails_sixteen_bootstrap_actions_with_the_agent_below_7() -> None:
    actions = [{"name": f"a{i}", "script": f"s3://bucket-a/{i}.sh"} for i in range(16)]
    rejects(old_fleet_cluster("emr-6.15.0", node_metrics={}, bootstrap_actions=actions), _path("bootstrap_actions"))


def test_fails_the_reserved_action_name_below_7() -> None:
    actions = [{"name": "node-metrics-agent", "script": "s3://bucket-a/x.sh"}]
    rejects(
        old_fleet_cluster("emr-6.15.0", node_metrics={}, bootstrap_actions=actions),
        _path("bootstrap_actions[0].name") + "this name is reserved",
    )
    assert valid(fleet_cluster(node_metrics={}, bootstrap_actions=actions)), "7.x has no agent action to clash with"


def test_fails_unknown_node_metrics_field() -> None:
    rejects(fleet_cluster(node_metrics={"interval": 10}), "interval")
