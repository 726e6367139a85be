"""load_config: a valid file loads; a bad one raises ConfigError naming file, field path, value and fix."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from emr_constructs.spec import AppConfig, ConfigError, load_config
from tests.spec.payloads import fleet_cluster, group_cluster, with_

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "config" / "dev.yaml"

_APP: dict[str, Any] = {
    "environment": "test",
    "account": "123456789012",
    "region": "eu-west-1",
    "availability_zones": ["eu-west-1a", "eu-west-1b"],
    "tags": {"project": "emr-constructs"},
    "network": {"cidr": "10.40.0.0/16", "nat_gateways": 1},
    "iam": {"role_name_prefix": None, "permissions_boundary_arn": None},
    "logging": {"retention_days": 365, "infrequent_access_after_days": 30},
    "clusters": [
        fleet_cluster(
            configurations=[
                {"classification": "spark-defaults", "properties": {"spark.dynamicAllocation.enabled": True}},
                {
                    "classification": "spark-env",
                    "configurations": [
                        {"classification": "export", "properties": {"PYSPARK_PYTHON": "/usr/bin/python3"}},
                    ],
                },
            ],
            auto_termination_idle_seconds=3600,
            step_concurrency=4,
            root_volume={"size_gib": 30},
            scale_down_behavior="TERMINATE_AT_TASK_COMPLETION",
            managed_scaling={"minimum": 3, "maximum": 40, "maximum_on_demand": 12, "maximum_core": 8},
        )
    ],
}


def _app(**top_level: Any) -> dict[str, Any]:
    payload = copy.deepcopy(_APP)
    payload.update(copy.deepcopy(top_level))
    return payload


def _write(tmp_path: Path, data: Any, name: str = "env.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def _fails(tmp_path: Path, data: Any, pattern: str) -> ConfigError:
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_config(path)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: invalid configuration")
    return info.value


# -- valid files ---------------------------------------------------------------------------------------------


def test_a_valid_file_loads(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, _app()))
    assert isinstance(config, AppConfig)
    assert (config.environment, config.region, config.availability_zones) == (
        "test",
        "eu-west-1",
        ("eu-west-1a", "eu-west-1b"),
    )
    cluster = config.clusters[0]
    assert cluster.release_label.label == "emr-7.5.0"
    assert cluster.configurations[0].properties == {"spark.dynamicAllocation.enabled": "true"}
    assert cluster.scaling_unit_type == "InstanceFleetUnits"
    assert config.network.nat_gateways == 1 and config.logging.retention_days == 365


_YAML_TEXT = """\
# A test environment, written the way config/dev.yaml is.
environment: qa
account: "210987654321"
region: us-east-1
availability_zones: [us-east-1a, us-east-1b]
network:
  cidr: 10.50.0.0/20
clusters:
  - name: etl
    release_label: emr-7.12.0
    applications: [Spark, Hadoop, Hive]
    configurations:
      - classification: spark-defaults
        properties:
          spark.dynamicAllocation.enabled: true
          spark.speculation: no
          spark.executor.cores: 4
    step_concurrency: 256
    auto_termination_idle_seconds: 60
    instance_fleets:
      primary:
        target_on_demand: 1
        instance_types:
          - instance_type: m7g.xlarge
      core:
        target_on_demand: 2
        instance_types:
          - {instance_type: m7g.2xlarge, ebs: {volumes: [{volume_type: gp3, size_gib: 128, iops: 6000}]}}
      task:
        target_spot: 4
        instance_types:
          - {instance_type: m7g.4xlarge, weighted_capacity: 2}
        spot: {timeout_minutes: 5, timeout_action: TERMINATE_CLUSTER}
        resize: {spot_timeout_minutes: 10080, on_demand_timeout_minutes: 5}
    managed_scaling: {minimum: 3, maximum: 20}
"""


def test_a_yaml_text_modelled_on_dev_loads(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, _YAML_TEXT))
    cluster = config.clusters[0]
    assert (config.environment, config.account, cluster.name) == ("qa", "210987654321", "etl")
    assert cluster.configurations[0].properties == {
        "spark.dynamicAllocation.enabled": "true",
        "spark.speculation": "false",
        "spark.executor.cores": "4",
    }
    assert cluster.instance_fleets and cluster.instance_fleets.task and cluster.instance_fleets.task.spot
    assert cluster.instance_fleets.task.spot.timeout_action == "TERMINATE_CLUSTER"


def test_defaults_of_optional_sections(tmp_path: Path) -> None:
    minimal = {k: v for k, v in _app().items() if k not in ("network", "iam", "logging", "tags")}
    config = load_config(str(_write(tmp_path, minimal)))
    assert (config.network.cidr, config.network.nat_gateways, config.network.existing) == (
        "10.0.0.0/16",
        0,
        None,
    )
    assert config.bootstrap_qualifier == "hnb659fds"
    assert (config.logging.retention_days, config.logging.infrequent_access_after_days) == (365, 30)


def test_the_dev_config_loads() -> None:
    config = load_config(DEV)
    assert config.environment == "dev"
    assert [c.name for c in config.clusters] == ["analytics"]
    cluster = config.clusters[0]
    assert cluster.instance_fleets is not None and cluster.instance_groups is None
    assert all(zone.startswith(config.region) for zone in config.availability_zones)


def test_an_existing_network_loads(tmp_path: Path) -> None:
    subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    existing = {"vpc_id": "vpc-0123456789abcdef0", "private_subnet_ids": subnets}
    config = load_config(_write(tmp_path, _app(network={"existing": existing})))
    assert config.network.existing and config.network.existing.vpc_id == "vpc-0123456789abcdef0"


# -- bad files -----------------------------------------------------------------------------------------------


def test_fails_with_the_full_field_path_value_and_fix(tmp_path: Path) -> None:
    data = with_(_app(), "clusters[0].instance_fleets.task.spot.timeout_minutes", 2000)
    error = _fails(
        tmp_path,
        data,
        r"\n  - clusters\[0\]\.instance_fleets\.task\.spot\.timeout_minutes: Spot timeout must be between 5 "
        r"and 1440 "
        r"\(got 2000\)\. Fix: set a value from 5 to 1440",
    )
    assert len(error.lines) == 1


@pytest.mark.parametrize(
    ("path", "value", "pattern"),
    [
        (
            "clusters[0].instance_fleets.core.instance_types[1].weighted_capacity",
            0,
            r"clusters\[0\]\.instance_fleets\.core\.instance_types\[1\]\.weighted_capacity: .*\(got 0\)\. "
            r"Fix:",
        ),
        (
            "clusters[0].managed_scaling.maximum_core",
            41,
            r"clusters\[0\]\.managed_scaling\.maximum_core: maximum_core exceeds maximum \(40\) \(got 41\)\. "
            r"Fix:",
        ),
        (
            "clusters[0].release_label",
            "emr-7",
            r"clusters\[0\]\.release_label: release label 'emr-7' is not an EMR release label\. Fix: use the form ",
        ),
        ("clusters[0].step_concurrency", 300, r"clusters\[0\]\.step_concurrency: .*\(got 300\)\. Fix:"),
        (
            "network.cidr",
            "10.0.0.0/8",
            r"network\.cidr: a VPC CIDR must have a prefix from /16 to /24 \(got '10\.0\.0\.0/8'\)\. Fix:",
        ),
        ("network.nat_gateways", 4, r"network\.nat_gateways: .*at most 3 \(got 4\)\. Fix:"),
        (
            "logging.retention_days",
            30,
            r"logging\.infrequent_access_after_days: logs would expire \(30 days\) before moving to "
            r"Standard-IA "
            r"\(got 30\)\. Fix:",
        ),
        ("account", "12345", r"account: does not match the required form.* \(got '12345'\)\. Fix:"),
        (
            "region",
            "eu-wset-1",
            r"region: is not an AWS region where EMR runs .*\(got 'eu-wset-1'\)\. Fix: did you mean 'eu-west-1'",
        ),
        ("region", "europe", r"region: is not an AWS region where EMR runs .*\(got 'europe'\)\. Fix: use a region"),
        (
            "iam.permissions_boundary_arn",
            "boundary",
            r"iam\.permissions_boundary_arn: .*\(got 'boundary'\)\. Fix:",
        ),
    ],
)
def test_fails_names_the_field_path(tmp_path: Path, path: str, value: Any, pattern: str) -> None:
    error = _fails(tmp_path, with_(_app(), path, value), pattern)
    assert all("Fix:" in line for line in error.lines)


@pytest.mark.parametrize(
    ("path", "location", "closest"),
    [
        (
            "clusters[0].instance_fleets.task.spot.timeout",
            r"clusters\[0\]\.instance_fleets\.task\.spot\.timeout",
            "timeout_action' or 'timeout_minutes",
        ),
        ("clusters[0].instanceFleets", r"clusters\[0\]\.instanceFleets", "instance_fleets"),
        ("network.vpc_cidr", r"network\.vpc_cidr", "cidr"),
        ("regions", "regions", "region"),
    ],
)
def test_fails_unknown_key(tmp_path: Path, path: str, location: str, closest: str) -> None:
    _fails(tmp_path, with_(_app(), path, 1), rf"\n  - {location}: unknown field\. Fix: did you mean '{closest}'\? ")


def test_fails_unknown_key_without_a_close_match_lists_the_valid_keys(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        with_(_app(), "network.zzzz", 1),
        r"\n  - network\.zzzz: unknown field\. Fix: remove it or use one "
        r"of cidr, existing, nat_gateways",
    )


def test_fails_missing_required_field(tmp_path: Path) -> None:
    data = _app()
    del data["clusters"][0]["release_label"]
    _fails(tmp_path, data, r"\n  - clusters\[0\]\.release_label: required field is missing\. Fix: add release_label")


def test_fails_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(
        ConfigError,
        match=rf"^{re.escape(str(path))}: invalid configuration .*\n  - file not found\. Fix: pass an ",
    ):
        load_config(path)


def test_fails_invalid_yaml(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        "environment: dev\nclusters: [\n  - name: x\n",
        r"\n  - line 3, column 3: not valid YAML: .*\. Fix: ",
    )


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just a string\n"])
def test_fails_file_without_a_mapping(tmp_path: Path, text: str) -> None:
    _fails(tmp_path, text, r"\n  - the file must hold a mapping of settings at the top level")


@pytest.mark.parametrize("zone", ["eu-west-2a", "us-east-1a", "eu-west-1", "eu-west-1-", "euw1-az1"])
def test_fails_availability_zone_outside_the_region(tmp_path: Path, zone: str) -> None:
    _fails(
        tmp_path,
        _app(availability_zones=["eu-west-1a", zone]),
        rf"\n  - availability_zones\[1\]: is not an availability zone of the region eu-west-1 \(got '{zone}'\)\. "
        r"Fix: use zones of eu-west-1, such as 'eu-west-1a'",
    )


def test_fails_repeated_availability_zone(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _app(availability_zones=["eu-west-1a", "eu-west-1a"]),
        r"\n  - availability_zones: zones repeat \(got \['eu-west-1a', 'eu-west-1a'\]\)\. Fix: name each "
        r"zone once",
    )


def test_fails_duplicate_cluster_names(tmp_path: Path) -> None:
    clusters = [fleet_cluster(name="analytics"), group_cluster(name="batch"), group_cluster(name="analytics")]
    error = _fails(
        tmp_path,
        _app(clusters=clusters),
        r"\n  - clusters\[2\]\.name: two clusters share a name \(got 'analytics'\)\. Fix: give each a unique "
        r"name",
    )
    assert len(error.lines) == 1


def test_distinct_cluster_names_are_accepted(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, _app(clusters=[fleet_cluster(), group_cluster()])))
    assert [c.name for c in config.clusters] == ["analytics", "batch"]


def test_fails_without_clusters(tmp_path: Path) -> None:
    _fails(
        tmp_path,
        _app(clusters=[]),
        r"\n  - clusters: the config deploys nothing: no cluster, job flow, serverless application or virtual cluster",
    )


def test_every_problem_in_a_file_is_listed(tmp_path: Path) -> None:
    data = with_(_app(), "clusters[0].instance_fleets.task.spot.timeout_minutes", 1)
    data = with_(data, "clusters[0].typo", True)
    data = with_(data, "network.nat_gateways", 9)
    error = _fails(tmp_path, data, r"\(3 problem\(s\)\)")
    assert sorted(line.split(":")[0] for line in error.lines) == [
        "clusters[0].instance_fleets.task.spot.timeout_minutes",
        "clusters[0].typo",
        "network.nat_gateways",
    ]


def test_the_dev_config_with_a_bad_value_names_the_file(tmp_path: Path) -> None:
    data = yaml.safe_load(DEV.read_text())
    data = with_(data, "clusters[0].instance_fleets.task.spot.timeout_minutes", 4)
    _fails(tmp_path, data, r"clusters\[0\]\.instance_fleets\.task\.spot\.timeout_minutes: .*\(got 4\)\. Fix:")
