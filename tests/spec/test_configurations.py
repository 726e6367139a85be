"""Configuration classifications: string values, deterministic merging, and conflicts that name both sides."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from emr_constructs.spec import ConfigurationConflict, ConfigurationSpec, merge_configurations
from tests.spec.payloads import fleet_cluster, rejects, valid


def _config(
    classification: str, properties: dict[str, Any] | None = None, *children: ConfigurationSpec
) -> ConfigurationSpec:
    return ConfigurationSpec(classification=classification, properties=properties or {}, configurations=children)


def _as_data(configs: tuple[ConfigurationSpec, ...]) -> list[dict[str, Any]]:
    return [c.model_dump() for c in configs]


# -- values --------------------------------------------------------------------------------------------------


def test_yaml_booleans_become_lowercase_strings() -> None:
    data = yaml.safe_load(
        """
        classification: spark-defaults
        properties:
          spark.dynamicAllocation.enabled: true
          spark.speculation: false
          spark.a: True
          spark.b: yes
          spark.c: "True"
        """
    )
    assert ConfigurationSpec.model_validate(data).properties == {
        "spark.dynamicAllocation.enabled": "true",
        "spark.speculation": "false",
        "spark.a": "true",
        "spark.b": "true",
        "spark.c": "True",
    }


def test_numbers_become_strings() -> None:
    spec = _config("spark-defaults", {"spark.executor.cores": 4, "spark.memory.fraction": 0.6, "k": "x"})
    assert spec.properties == {"spark.executor.cores": "4", "spark.memory.fraction": "0.6", "k": "x"}


@pytest.mark.parametrize("value", [None, ["a"], {"a": 1}])
def test_fails_property_value_that_is_not_a_scalar(value: Any) -> None:
    payload = fleet_cluster(configurations=[{"classification": "spark-defaults", "properties": {"k": value}}])
    rejects(
        payload,
        rf"^  - configurations\[0\]\.properties: property values must be strings, numbers or booleans, "
        rf"got {type(value).__name__}",
    )


@pytest.mark.parametrize("classification", ["", "spark defaults", "spark/defaults", "x" * 257])
def test_fails_malformed_classification(classification: str) -> None:
    with pytest.raises(ValidationError, match=r"classification\n  String should (match pattern|have at)"):
        ConfigurationSpec(classification=classification)


def test_fails_unknown_configuration_field() -> None:
    payload = fleet_cluster(configurations=[{"Classification": "spark-defaults"}])
    rejects(payload, r"^  - configurations\[0\]\.Classification: unknown field")


# -- merging -------------------------------------------------------------------------------------------------


def test_fails_conflict_between_sources_naming_both_sources_and_values() -> None:
    with pytest.raises(
        ConfigurationConflict,
        match=r"configuration conflict in spark-defaults property 'spark\.executor\.memory': "
        r"cluster configurations sets '4g' but preset:memory-optimised sets '8g'\. "
        r"Fix: set it in one place only, or make both values agree",
    ):
        merge_configurations(
            ("cluster configurations", [_config("spark-defaults", {"spark.executor.memory": "4g"})]),
            ("preset:memory-optimised", [_config("spark-defaults", {"spark.executor.memory": "8g"})]),
        )


def test_fails_nested_conflict_naming_the_nested_path() -> None:
    with pytest.raises(
        ConfigurationConflict,
        match=r"in spark-env/export property 'PYSPARK_PYTHON': "
        r"a sets '/usr/bin/python3' but b sets 'python3\.11'",
    ):
        merge_configurations(
            ("a", [_config("spark-env", {}, _config("export", {"PYSPARK_PYTHON": "/usr/bin/python3"}))]),
            ("b", [_config("spark-env", {}, _config("export", {"PYSPARK_PYTHON": "python3.11"}))]),
        )


def test_a_boolean_and_its_string_agree() -> None:
    merged = merge_configurations(
        ("a", [_config("iceberg-defaults", {"iceberg.enabled": True})]),
        ("b", [_config("iceberg-defaults", {"iceberg.enabled": "true"})]),
    )
    assert _as_data(merged) == [
        {
            "classification": "iceberg-defaults",
            "properties": {"iceberg.enabled": "true"},
            "configurations": (),
        }
    ]


def test_nested_configurations_merge_deterministically() -> None:
    first = (
        "cluster configurations",
        [
            _config("spark-defaults", {"b": "2", "a": "1"}),
            _config("spark-env", {}, _config("export", {"JAVA_HOME": "/usr/lib/jvm/java-17"})),
        ],
    )
    second = (
        "table formats",
        [
            _config("delta-defaults", {"delta.enabled": "true"}),
            _config("spark-env", {}, _config("export", {"PYSPARK_PYTHON": "/usr/bin/python3"})),
            _config("spark-defaults", {"c": "3", "a": "1"}),
        ],
    )
    merged = merge_configurations(first, second)
    assert _as_data(merged) == [
        {
            "classification": "spark-defaults",
            "properties": {"b": "2", "a": "1", "c": "3"},
            "configurations": (),
        },
        {
            "classification": "spark-env",
            "properties": {},
            "configurations": (
                {
                    "classification": "export",
                    "properties": {"JAVA_HOME": "/usr/lib/jvm/java-17", "PYSPARK_PYTHON": "/usr/bin/python3"},
                    "configurations": (),
                },
            ),
        },
        {"classification": "delta-defaults", "properties": {"delta.enabled": "true"}, "configurations": ()},
    ]
    assert merge_configurations(first, second) == merged
    assert [c.classification for c in merge_configurations(second, first)] == [
        "delta-defaults",
        "spark-env",
        "spark-defaults",
    ]


def test_merge_of_nothing_is_empty() -> None:
    assert merge_configurations() == ()
    assert merge_configurations(("a", [])) == ()


# -- in a cluster --------------------------------------------------------------------------------------------


def test_cluster_configurations_are_merged() -> None:
    spec = valid(
        fleet_cluster(
            configurations=[
                {"classification": "spark-defaults", "properties": {"a": 1}},
                {"classification": "spark-defaults", "properties": {"b": True}},
            ],
            data_lake={"presets": []},
        )
    )
    assert _as_data(spec.merged_configurations()) == [
        {"classification": "spark-defaults", "properties": {"a": "1", "b": "true"}, "configurations": ()}
    ]


def test_fails_conflict_inside_a_cluster() -> None:
    payload = fleet_cluster(
        configurations=[
            {"classification": "spark-defaults", "properties": {"spark.executor.cores": 4}},
            {"classification": "spark-defaults", "properties": {"spark.executor.cores": 8}},
        ]
    )
    rejects(
        payload,
        r"^  - configurations: configuration conflict in spark-defaults property 'spark\.executor\.cores': "
        r".* sets '4' but .* sets '8'.*Fix: set each key in one place only",
    )


def test_fails_conflict_inside_a_cluster_naming_both_entries() -> None:
    payload = fleet_cluster(
        configurations=[
            {"classification": "spark-defaults", "properties": {"spark.executor.cores": 4}},
            {"classification": "spark-env", "properties": {}},
            {"classification": "spark-defaults", "properties": {"spark.executor.cores": 8}},
        ]
    )
    rejects(payload, r"configurations\[0\] sets '4' but (cluster )?configurations\[2\] sets '8'(?!.*got None)")


def test_fails_conflict_with_another_source_of_a_cluster() -> None:
    spec = valid(fleet_cluster(configurations=[{"classification": "hive-site", "properties": {"x": "1"}}]))
    with pytest.raises(
        ConfigurationConflict,
        match=r"hive-site property 'x': configurations\[0\] sets '1' but catalog sets '2'",
    ):
        spec.merged_configurations(("catalog", (_config("hive-site", {"x": "2"}),)))
