"""Data-lake spec: the Glue catalog, table formats, presets, what each contributes to the configuration merge,
and the app-level data buckets that hold the lake. Pure spec: no CDK import."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from emr_constructs.spec import ClusterSpec, ConfigurationSpec
from emr_constructs.spec.app_config import AppConfig, validation_messages
from emr_constructs.spec.datalake import GLUE_CLIENT_FACTORY
from tests.spec.payloads import fleet_cluster, old_fleet_cluster, rejects, valid, with_

DEV_YAML = Path(__file__).resolve().parents[2] / "config" / "dev.yaml"
WAREHOUSE = "s3://lake-bucket/warehouse/"
ROOT_DIR = "s3://lake-bucket/hbase/"
CATALOG_ID = "222222222222"
STREAM = "arn:aws:kinesis:eu-west-1:111111111111:stream/clicks"

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
DELTA_EXTENSIONS = "io.delta.sql.DeltaSparkSessionExtension"
HUDI_EXTENSIONS = "org.apache.spark.sql.hudi.HoodieSparkSessionExtension"


def lake(applications: list[str] | None = None, **data_lake: Any) -> dict[str, Any]:
    """A valid fleet cluster (emr-7.5.0) with ``data_lake`` set and, when given, its applications."""
    payload = fleet_cluster(data_lake=data_lake)
    if applications is not None:
        payload["applications"] = applications
    return payload


def by_classification(configurations: tuple[ConfigurationSpec, ...]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for spec in configurations:
        assert spec.classification not in found, f"{spec.classification} appears twice"
        assert spec.configurations == (), "presets contribute no nested classifications"
        found[spec.classification] = dict(spec.properties)
    return found


def sources(spec: ClusterSpec) -> dict[str, dict[str, dict[str, str]]]:
    """The data-lake contributions of ``spec``: source name -> classification -> properties."""
    return {name: by_classification(items) for name, items in spec.data_lake_configurations()}


# -- GlueCatalogSpec ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Sales", "curated-sales", "curated sales", "", "a" * 256, "café"])
def test_fails_bad_glue_database_name(name: str) -> None:
    rejects(
        lake(catalog={"databases": ["raw", name]}),
        r"^  - data_lake\.catalog\.databases\[1\]: Glue database names are lower case letters, digits and _ "
        rf"\(got {re.escape(repr(name))}\)\. Fix: use a name such as 'curated_sales'",
    )


def test_fails_duplicate_glue_database() -> None:
    rejects(
        lake(catalog={"databases": ["raw", "curated", "raw"]}),
        r"^  - data_lake\.catalog\.databases: a database is listed twice \(got \['raw', 'curated', 'raw'\]\)\. "
        r"Fix: list each once",
    )


def test_fails_more_than_50_glue_databases() -> None:
    rejects(
        lake(catalog={"databases": [f"db_{i}" for i in range(51)]}),
        r"^  - data_lake\.catalog\.databases: must have at most 50 items",
    )


def test_fifty_glue_databases_and_long_names_are_accepted() -> None:
    names = [f"db_{i}" for i in range(49)] + ["a" * 255]
    assert valid(lake(catalog={"databases": names})).data_lake.catalog.databases == tuple(names)  # type: ignore[union-attr]


@pytest.mark.parametrize("catalog_id", ["12345678901", "1234567890123", "abcdefghijkl", "", " 123456789012"])
def test_fails_catalog_id_not_12_digits(catalog_id: str) -> None:
    rejects(
        lake(catalog={"databases": ["raw"], "catalog_id": catalog_id}),
        r"^  - data_lake\.catalog\.catalog_id: does not match the required form: a 12-digit",
    )


def test_fails_unknown_catalog_field() -> None:
    rejects(lake(catalog={"database": ["raw"]}), r"^  - data_lake\.catalog\.database: unknown field")


# -- locations and ARNs ---------------------------------------------------------------------------------------

BAD_URIS = [
    "s3://lake-bucket/warehouse",  # no trailing /
    "s3://lake-bucket",  # no / at all
    "s3a://lake-bucket/warehouse/",
    "https://lake-bucket.s3.amazonaws.com/warehouse/",
    "s3://Lake-Bucket/warehouse/",
    "s3://lake bucket/warehouse/",
    "s3://lake-bucket/ware house/",
    "s3://ab/warehouse/",  # bucket names have at least 3 characters
]


@pytest.mark.parametrize("uri", BAD_URIS)
def test_fails_bad_iceberg_warehouse_uri(uri: str) -> None:
    rejects(
        lake(table_formats={"iceberg": {"warehouse": uri}}),
        r"^  - data_lake\.table_formats\.iceberg\.warehouse: does not match the required form",
    )


@pytest.mark.parametrize("uri", BAD_URIS)
def test_fails_bad_hbase_root_dir_uri(uri: str) -> None:
    rejects(
        lake(["HBase", "Hadoop"], presets=["hbase-s3"], hbase={"root_dir": uri}),
        r"^  - data_lake\.hbase\.root_dir: does not match the required form",
    )


@pytest.mark.parametrize("uri", ["s3://lake-bucket/", "s3://lake-bucket/a/b/c/", "s3://my.lake-bucket1/warehouse/"])
def test_location_uris_ending_with_a_slash_are_accepted(uri: str) -> None:
    spec = valid(lake(table_formats={"iceberg": {"warehouse": uri}}))
    assert spec.data_lake.table_formats.iceberg.warehouse == uri  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["Glue", "1catalog", "glue-catalog", "a" * 65, ""])
def test_fails_bad_iceberg_catalog_name(name: str) -> None:
    rejects(
        lake(table_formats={"iceberg": {"warehouse": WAREHOUSE, "catalog_name": name}}),
        r"^  - data_lake\.table_formats\.iceberg\.catalog_name: does not match the required form",
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:kinesis:eu-west-1:1111:stream/clicks",  # short account
        "arn:aws:firehose:eu-west-1:111111111111:deliverystream/clicks",
        "arn:aws:kinesis:eu-west-1:111111111111:clicks",
        "arn:aws:kinesis:eu-west-1:111111111111:stream/",
        "arn:aws:kinesis:eu-west-1:111111111111:stream/clicks/consumer/c:1",
        "clicks",
    ],
)
def test_fails_bad_kinesis_stream_arn(arn: str) -> None:
    rejects(
        lake(["Flink", "Hadoop"], presets=["flink"], flink={"kinesis_streams": [STREAM, arn]}),
        r"^  - data_lake\.flink\.kinesis_streams\[1\]: not a Kinesis data stream ARN "
        rf"\(got {re.escape(repr(arn))}\)\. Fix: use arn:aws:kinesis:<region>:<account>:stream/<name>",
    )


def test_kinesis_stream_arns_of_other_partitions_are_accepted() -> None:
    arns = [STREAM, "arn:aws-cn:kinesis:cn-north-1:111111111111:stream/a.b_c-d"]
    spec = valid(lake(["Flink", "Hadoop"], presets=["flink"], flink={"kinesis_streams": arns}))
    assert spec.data_lake.flink.kinesis_streams == tuple(arns)  # type: ignore[union-attr]


@pytest.mark.parametrize("timeout", ["1", "h", "1 h", "1w", "-1h", "1.5h"])
def test_fails_bad_notebook_session_timeout(timeout: str) -> None:
    rejects(
        lake(["Spark", "Livy", "JupyterEnterpriseGateway"], notebooks={"session_timeout": timeout}),
        r"^  - data_lake\.notebooks\.session_timeout: does not match the required form",
    )


# -- DataLakeSpec ---------------------------------------------------------------------------------------------


def test_fails_preset_listed_twice() -> None:
    rejects(
        lake(presets=["spark-hive-glue", "spark-hive-glue"]),
        r"^  - data_lake\.presets: a preset is listed twice \(got \['spark-hive-glue', 'spark-hive-glue'\]\)\. "
        r"Fix: list each once",
    )


def test_fails_unknown_preset() -> None:
    rejects(lake(presets=["spark-glue"]), r"^  - data_lake\.presets\[0\]: must be 'spark-hive-glue'")


@pytest.mark.parametrize("preset", ["spark-hive-glue", "trino-glue"])
def test_fails_glue_preset_without_catalog(preset: str) -> None:
    rejects(
        lake(["Spark", "Hive", "Trino"], presets=[preset], catalog=None),
        rf"^  - data_lake\.catalog: preset {preset} points the engines at the Glue Data Catalog \(got None\)\. "
        r"Fix: add catalog: \{databases: \[\.\.\.\]\} or remove the preset",
    )


def test_fails_hbase_preset_without_hbase_settings() -> None:
    rejects(
        lake(["HBase", "Hadoop"], presets=["hbase-s3"]),
        r"^  - data_lake\.hbase: preset hbase-s3 needs the S3 root directory \(got None\)\. "
        r"Fix: add hbase: \{root_dir: s3://bucket/hbase/\}",
    )


@pytest.mark.parametrize("presets", [None, [], ["spark-hive-glue"]])
def test_fails_hbase_settings_without_their_preset(presets: list[str] | None) -> None:
    rejects(
        lake(["Spark", "HBase", "Hadoop"], presets=presets, hbase={"root_dir": ROOT_DIR}),
        r"^  - data_lake\.hbase: hbase settings apply only with preset hbase-s3 \(got 'set'\)\. Fix: add the preset",
    )


@pytest.mark.parametrize("presets", [None, [], ["spark-hive-glue"]])
def test_fails_flink_settings_without_their_preset(presets: list[str] | None) -> None:
    rejects(
        lake(["Spark", "Flink", "Hadoop"], presets=presets, flink={"kinesis_streams": [STREAM]}),
        r"^  - data_lake\.flink: flink settings apply only with preset flink \(got 'set'\)\. Fix: add the preset",
    )


def test_flink_preset_without_settings_is_accepted() -> None:
    spec = valid(lake(["Flink", "Hadoop"], presets=["flink"]))
    assert spec.presets == ("flink",)
    assert spec.data_lake_configurations() == ()  # Flink's preset grants IAM only; no classification


def test_fails_iceberg_without_catalog() -> None:
    rejects(
        lake(presets=[], catalog=None, table_formats={"iceberg": {"warehouse": WAREHOUSE}}),
        r"^  - data_lake\.table_formats\.iceberg: the Iceberg catalog is backed by the Glue Data Catalog "
        r"\(got 'set'\)\. Fix: add catalog: \{databases: \[\.\.\.\]\}",
    )


def test_every_data_lake_problem_is_reported_at_once() -> None:
    payload = lake(
        presets=["spark-hive-glue", "spark-hive-glue", "trino-glue"],
        catalog=None,
        hbase={"root_dir": ROOT_DIR},
        flink={},
        table_formats={"iceberg": {"warehouse": WAREHOUSE}},
    )
    error = rejects(payload, r"^  - data_lake\.presets: a preset is listed twice")
    assert sorted(line.split(":")[0] for line in error.lines) == [
        "data_lake.catalog",
        "data_lake.catalog",
        "data_lake.flink",
        "data_lake.hbase",
        "data_lake.presets",
        "data_lake.presets",  # the cluster's own check (trino-glue needs Trino), in the same run
        "data_lake.table_formats.iceberg",
    ]


# -- presets need their applications --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applications", "presets", "extra", "message"),
    [
        (
            ["Spark", "Hadoop"],
            ["trino-glue"],
            {},
            "preset trino-glue needs Presto or PrestoSQL or Trino in applications",
        ),
        (
            ["Spark", "Livy"],
            ["notebooks"],
            {},
            "preset notebooks needs JupyterEnterpriseGateway and Livy in applications",
        ),
        (
            ["Spark", "JupyterEnterpriseGateway"],
            ["notebooks"],
            {},
            "preset notebooks needs JupyterEnterpriseGateway and Livy in applications",
        ),
        (["Spark", "Hadoop"], ["hbase-s3"], {"hbase": {"root_dir": ROOT_DIR}}, "preset hbase-s3 needs HBase"),
        (["Spark", "Hadoop"], ["flink"], {}, "preset flink needs Flink in applications"),
        (["Hadoop", "Trino"], ["spark-hive-glue"], {}, "preset spark-hive-glue needs Hive or Spark in applications"),
    ],
)
def test_fails_preset_without_its_applications(
    applications: list[str], presets: list[str], extra: dict[str, Any], message: str
) -> None:
    preset = presets[0]
    rejects(
        lake(applications, presets=presets, **extra),
        rf"^  - data_lake\.presets: {re.escape(message)}.* \(got '{preset}'\)\. Fix: add .* to applications or "
        "remove the preset",
    )


@pytest.mark.parametrize("applications", [["Spark"], ["Hive", "Hadoop"], ["Spark", "Hive"]])
def test_spark_hive_glue_needs_only_one_of_spark_and_hive(applications: list[str]) -> None:
    assert valid(lake(applications, presets=["spark-hive-glue"])).presets == ("spark-hive-glue",)


def test_every_preset_together() -> None:
    applications = ["Spark", "Hive", "Hadoop", "Trino", "HBase", "Flink", "Livy", "JupyterEnterpriseGateway"]
    presets = ["spark-hive-glue", "trino-glue", "hbase-s3", "flink", "notebooks"]
    spec = valid(lake(applications, presets=presets, hbase={"root_dir": ROOT_DIR}, flink={"kinesis_streams": [STREAM]}))
    assert spec.presets == tuple(presets)
    assert list(sources(spec)) == [
        "preset spark-hive-glue",
        "preset trino-glue",
        "preset hbase-s3",
        "preset notebooks",
    ]


# -- table formats: release gates, Spark, exclusivity ---------------------------------------------------------

GATES = [
    ("iceberg", {"iceberg": {"warehouse": WAREHOUSE}}, "emr-6.4.0", "emr-6.5.0", "Apache Iceberg needs emr-6.5.0+"),
    ("delta", {"delta": True}, "emr-6.8.0", "emr-6.9.0", "Delta Lake needs emr-6.9.0+"),
    # Hudi ships from 5.28.0; the Spark SQL catalog settings written here need Spark 3.2 (emr-6.7.0+).
    ("hudi", {"hudi": True}, "emr-6.6.0", "emr-6.7.0", "Apache Hudi with its Spark SQL catalog needs emr-6.7.0+"),
]


@pytest.mark.parametrize(("name", "formats", "old", "new", "message"), GATES, ids=[g[0] for g in GATES])
def test_fails_table_format_before_its_release(
    name: str, formats: dict[str, Any], old: str, new: str, message: str
) -> None:
    error = rejects(
        old_fleet_cluster(old, data_lake={"table_formats": formats}),
        rf"^  - data_lake\.table_formats\.{name}: {re.escape(message)}, not {old} \(got True\)\. "
        rf"Fix: use a release that supports it or remove data_lake\.table_formats\.{name}",
    )
    assert len(error.lines) == 1


@pytest.mark.parametrize(("name", "formats", "old", "new", "message"), GATES, ids=[g[0] for g in GATES])
def test_table_format_on_its_first_release_is_accepted(
    name: str, formats: dict[str, Any], old: str, new: str, message: str
) -> None:
    spec = valid(old_fleet_cluster(new, data_lake={"table_formats": formats}))
    assert str(spec.release_label) == new
    assert "spark-defaults" in by_classification(spec.merged_configurations())


def test_iceberg_gate_holds_without_presets() -> None:
    rejects(
        old_fleet_cluster(
            "emr-6.4.0", data_lake={"presets": [], "table_formats": {"iceberg": {"warehouse": WAREHOUSE}}}
        ),
        r"^  - data_lake\.table_formats\.iceberg: Apache Iceberg needs emr-6\.5\.0\+",
    )


@pytest.mark.parametrize(
    "formats",
    [{"iceberg": {"warehouse": WAREHOUSE}}, {"delta": True}, {"hudi": True}],
    ids=["iceberg", "delta", "hudi"],
)
def test_fails_table_formats_without_spark(formats: dict[str, Any]) -> None:
    (name,) = formats
    rejects(
        lake(["Hive", "Hadoop"], table_formats=formats),
        rf"^  - data_lake\.table_formats: the table formats are configured for Spark \(got \['{name}'\]\)\. "
        r"Fix: add Spark to applications",
    )


def test_fails_delta_and_hudi_together() -> None:
    error = rejects(
        lake(table_formats={"delta": True, "hudi": True}),
        r"^  - data_lake\.table_formats: Delta Lake and Hudi both install their catalog as Spark's spark_catalog "
        r"\(got 'delta and hudi'\)\. Fix: choose one of them",
    )
    assert len(error.lines) == 1


# -- the default preset ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applications", "data_lake", "expected"),
    [
        (["Spark", "Hadoop", "Hive", "Livy"], {}, ("spark-hive-glue",)),
        (["Spark"], {}, ("spark-hive-glue",)),
        (["Hive", "Hadoop"], {}, ("spark-hive-glue",)),
        (["HBase", "Hadoop"], {}, ()),
        (["Trino", "Hadoop"], {}, ()),
        (["Spark", "Hive"], {"presets": []}, ()),
        (["Spark", "Hive"], {"catalog": None}, ()),
    ],
    ids=["defaults", "spark", "hive", "hbase-only", "trino-only", "presets-off", "no-catalog"],
)
def test_default_preset(applications: list[str], data_lake: dict[str, Any], expected: tuple[str, ...]) -> None:
    spec = valid(lake(applications, **data_lake))
    assert spec.presets == expected
    if not expected:
        assert spec.data_lake_configurations() == ()
        assert spec.merged_configurations() == ()


def test_presets_off_keeps_the_users_own_configurations_only() -> None:
    own = [{"classification": "spark-defaults", "properties": {"spark.executor.memory": "4g"}}]
    spec = valid(lake(presets=[]) | {"configurations": own})
    assert by_classification(spec.merged_configurations()) == {"spark-defaults": {"spark.executor.memory": "4g"}}


# -- what each preset and format contributes ------------------------------------------------------------------

FACTORY = {"hive.metastore.client.factory.class": GLUE_CLIENT_FACTORY}


@pytest.mark.parametrize(
    ("applications", "classifications"),
    [
        (["Spark", "Hive"], {"hive-site": FACTORY, "spark-hive-site": FACTORY}),
        (["Spark", "Hadoop"], {"spark-hive-site": FACTORY}),
        (["Hive", "Hadoop"], {"hive-site": FACTORY}),
    ],
    ids=["spark-and-hive", "spark-only", "hive-only"],
)
def test_spark_hive_glue_configures_only_installed_engines(
    applications: list[str], classifications: dict[str, dict[str, str]]
) -> None:
    spec = valid(lake(applications, catalog={"databases": ["raw"]}))
    assert sources(spec) == {"preset spark-hive-glue": classifications}
    assert by_classification(spec.merged_configurations()) == classifications


def test_catalog_id_points_every_glue_client_at_the_other_catalog() -> None:
    spec = valid(
        lake(
            ["Spark", "Hive", "Trino"],
            presets=["spark-hive-glue", "trino-glue"],
            catalog={"databases": ["raw"], "catalog_id": CATALOG_ID},
        )
    )
    with_id = {**FACTORY, "hive.metastore.glue.catalogid": CATALOG_ID}
    assert sources(spec) == {
        "preset spark-hive-glue": {"hive-site": with_id, "spark-hive-site": with_id},
        "preset trino-glue": {
            "trino-connector-hive": {"hive.metastore": "glue", "hive.metastore.glue.catalogid": CATALOG_ID}
        },
    }


def test_trino_glue_without_catalog_id() -> None:
    spec = valid(lake(["Trino", "Hadoop"], presets=["trino-glue"]))
    assert sources(spec) == {"preset trino-glue": {"trino-connector-hive": {"hive.metastore": "glue"}}}


@pytest.mark.parametrize(
    ("read_replica", "hbase"),
    [
        (False, {"hbase.emr.storageMode": "s3"}),
        (True, {"hbase.emr.storageMode": "s3", "hbase.emr.readreplica.enabled": "true"}),
    ],
    ids=["primary", "read-replica"],
)
def test_hbase_s3_sets_storage_mode_root_dir_and_read_replica(read_replica: bool, hbase: dict[str, str]) -> None:
    spec = valid(
        lake(["HBase", "Hadoop"], presets=["hbase-s3"], hbase={"root_dir": ROOT_DIR, "read_replica": read_replica})
    )
    assert sources(spec) == {"preset hbase-s3": {"hbase": hbase, "hbase-site": {"hbase.rootdir": ROOT_DIR}}}


@pytest.mark.parametrize(("given", "expected"), [(None, "1h"), ("30m", "30m"), ("2d", "2d")])
def test_notebooks_set_the_livy_session_timeout(given: str | None, expected: str) -> None:
    notebooks = {} if given is None else {"session_timeout": given}
    spec = valid(lake(["Spark", "Livy", "JupyterEnterpriseGateway"], presets=["notebooks"], notebooks=notebooks))
    assert sources(spec) == {
        "preset notebooks": {
            "livy-conf": {"livy.server.session.timeout-check": "true", "livy.server.session.timeout": expected}
        }
    }


def _iceberg_spark(catalog: str = "glue_catalog", warehouse: str = WAREHOUSE) -> dict[str, str]:
    prefix = f"spark.sql.catalog.{catalog}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.warehouse": warehouse,
    }


@pytest.mark.parametrize("catalog_name", [None, "lake"])
def test_iceberg_enables_iceberg_and_its_spark_catalog(catalog_name: str | None) -> None:
    iceberg = {"warehouse": WAREHOUSE} | ({"catalog_name": catalog_name} if catalog_name else {})
    spec = valid(lake(presets=[], table_formats={"iceberg": iceberg}))
    assert sources(spec) == {
        "table formats": {
            "iceberg-defaults": {"iceberg.enabled": "true"},
            "spark-defaults": {
                **_iceberg_spark(catalog_name or "glue_catalog"),
                "spark.sql.extensions": ICEBERG_EXTENSIONS,
            },
        }
    }


def test_delta_enables_delta_its_extensions_and_spark_catalog() -> None:
    spec = valid(lake(presets=[], table_formats={"delta": True}))
    assert sources(spec) == {
        "table formats": {
            "delta-defaults": {"delta.enabled": "true"},
            "spark-defaults": {
                "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
                "spark.sql.extensions": DELTA_EXTENSIONS,
            },
        }
    }


def test_hudi_sets_its_extensions_serializer_and_catalog() -> None:
    spec = valid(lake(presets=[], table_formats={"hudi": True}))
    assert sources(spec) == {
        "table formats": {
            "spark-defaults": {
                "spark.jars": "/usr/lib/hudi/hudi-spark-bundle.jar",
                "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.hudi.catalog.HoodieCatalog",
                "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
                "spark.sql.extensions": HUDI_EXTENSIONS,
            }
        }
    }


@pytest.mark.parametrize(
    ("second", "extensions"), [("delta", DELTA_EXTENSIONS), ("hudi", HUDI_EXTENSIONS)], ids=["delta", "hudi"]
)
def test_iceberg_combines_its_extensions_with_another_format(second: str, extensions: str) -> None:
    spec = valid(lake(presets=[], table_formats={"iceberg": {"warehouse": WAREHOUSE}, second: True}))
    spark = by_classification(spec.merged_configurations())["spark-defaults"]
    assert spark["spark.sql.extensions"] == f"{ICEBERG_EXTENSIONS},{extensions}"
    assert spark["spark.sql.catalog.glue_catalog.warehouse"] == WAREHOUSE
    assert "org.apache.spark" in spark["spark.sql.catalog.spark_catalog"]


def test_presets_formats_and_user_configurations_merge_in_order() -> None:
    own = [
        {"classification": "spark-defaults", "properties": {"spark.executor.memory": "4g"}},
        {"classification": "hive-site", "properties": {"hive.exec.dynamic.partition.mode": "nonstrict"}},
    ]
    payload = lake(table_formats={"iceberg": {"warehouse": WAREHOUSE}}) | {"configurations": own}
    merged = valid(payload).merged_configurations()
    assert [c.classification for c in merged] == ["spark-defaults", "hive-site", "spark-hive-site", "iceberg-defaults"]
    assert by_classification(merged) == {
        "spark-defaults": {
            "spark.executor.memory": "4g",
            **_iceberg_spark(),
            "spark.sql.extensions": ICEBERG_EXTENSIONS,
        },
        "hive-site": {"hive.exec.dynamic.partition.mode": "nonstrict", **FACTORY},
        "spark-hive-site": FACTORY,
        "iceberg-defaults": {"iceberg.enabled": "true"},
    }


def test_catalog_id_reaches_the_iceberg_catalog() -> None:
    spec = valid(
        lake(
            catalog={"databases": ["raw"], "catalog_id": CATALOG_ID},
            table_formats={"iceberg": {"warehouse": WAREHOUSE}},
        )
    )
    spark = by_classification(spec.merged_configurations())["spark-defaults"]
    assert spark["spark.sql.catalog.glue_catalog.glue.id"] == CATALOG_ID


# -- a preset never overrides the user ------------------------------------------------------------------------


def test_fails_user_value_conflicting_with_a_preset() -> None:
    own = [{"classification": "hive-site", "properties": {"hive.metastore.client.factory.class": "com.example.Own"}}]
    rejects(
        fleet_cluster(configurations=own),
        r"^  - configurations: configuration conflict in hive-site property "
        r"'hive\.metastore\.client\.factory\.class': configurations\[0\] sets 'com\.example\.Own' "
        rf"but preset spark-hive-glue sets '{re.escape(GLUE_CLIENT_FACTORY)}'"
        r" \(got \{'configurations\[0\]': 'com\.example\.Own', 'preset spark-hive-glue': '.*'\}\)\. "
        r"Fix: set each key in one place only",
    )


def test_fails_user_value_conflicting_with_a_table_format() -> None:
    own = [{"classification": "spark-defaults", "properties": {"spark.sql.extensions": "com.example.Ext"}}]
    rejects(
        fleet_cluster(configurations=own, data_lake={"table_formats": {"delta": True}}),
        r"^  - configurations: configuration conflict in spark-defaults property 'spark\.sql\.extensions': "
        rf"configurations\[0\] sets 'com\.example\.Ext' but table formats sets '{re.escape(DELTA_EXTENSIONS)}'",
    )


def test_fails_conflict_in_spark_hive_site_names_the_user_entry() -> None:
    own = [
        {"classification": "spark-defaults", "properties": {"spark.executor.memory": "4g"}},
        {"classification": "spark-hive-site", "properties": {"hive.metastore.client.factory.class": "x.Y"}},
    ]
    rejects(
        fleet_cluster(configurations=own),
        r"^  - configurations: .*spark-hive-site.*configurations\[1\] sets 'x\.Y' but preset spark-hive-glue sets",
    )


def test_user_value_equal_to_the_preset_is_accepted() -> None:
    own = [{"classification": "hive-site", "properties": FACTORY}]
    spec = valid(fleet_cluster(configurations=own))
    assert by_classification(spec.merged_configurations())["hive-site"] == FACTORY


# -- app level: data buckets, access entries and lake locations ------------------------------------------------


def _dev() -> dict[str, Any]:
    """config/dev.yaml without its job flows (and their access entries): these tests change the clusters'."""
    raw = yaml.safe_load(DEV_YAML.read_text())
    assert isinstance(raw, dict)
    flows = {flow["cluster"]["name"] for flow in raw.pop("job_flows", [])}
    for bucket in raw.get("data_buckets", []):
        bucket["access"] = [entry for entry in bucket.get("access", []) if entry["cluster"] not in flows]
    return raw


def app_rejects(payload: dict[str, Any], pattern: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        AppConfig.model_validate(payload)
    lines = validation_messages(info.value)
    assert any(re.search(pattern, line) for line in lines), lines
    return lines


def test_dev_config_is_valid() -> None:
    config = AppConfig.model_validate(_dev())
    assert [b.name for b in config.data_buckets] == ["raw", "curated"]
    assert config.bucket_name("raw") == "emr-constructs-dev-raw-111111111111-eu-west-1"


def test_fails_duplicate_data_bucket_names() -> None:
    payload = _dev()
    payload["data_buckets"].append({"name": "raw"})
    lines = app_rejects(payload, r"^data_buckets\[2\]\.name: two buckets share a name \(got 'raw'\)\. Fix: rename one$")
    assert len(lines) == 1


def test_fails_bucket_name_making_the_physical_name_too_long() -> None:
    payload = _dev()
    payload["environment"] = "analytics-staging"
    warehouse = "s3://emr-constructs-analytics-staging-curated-111111111111-eu-west-1/warehouse/"
    payload["clusters"][0]["data_lake"]["table_formats"]["iceberg"]["warehouse"] = warehouse
    payload["data_buckets"].append({"name": "clickstream"})
    lines = app_rejects(
        payload,
        r"^data_buckets\[2\]\.name: the bucket name 'emr-constructs-analytics-staging-clickstream-111111111111-"
        r"eu-west-1' exceeds S3's 63 characters \(got 'clickstream'\)\. Fix: use a shorter name$",
    )
    assert len(lines) == 1  # raw (59 characters) and curated (63) still fit


def test_bucket_name_of_exactly_63_characters_is_accepted() -> None:
    payload = _dev()
    payload["data_buckets"].append({"name": "a" * 21})
    # The name pattern caps a bucket name at 20 characters; with environment dev the longest is 62.
    app_rejects(payload, r"^data_buckets\[2\]\.name: does not match the required form")
    payload["data_buckets"][-1] = {"name": "a" * 20}
    config = AppConfig.model_validate(payload)
    assert len(config.bucket_name("a" * 20)) == 62
    payload["environment"] = "devx"
    payload["clusters"][0]["data_lake"]["table_formats"]["iceberg"]["warehouse"] = (
        "s3://emr-constructs-devx-curated-111111111111-eu-west-1/warehouse/"
    )
    assert len(AppConfig.model_validate(payload).bucket_name("a" * 20)) == 63


def test_fails_access_entry_naming_an_unknown_cluster() -> None:
    payload = _dev()
    payload["data_buckets"][1]["access"].append({"cluster": "reporting", "access": "read"})
    lines = app_rejects(
        payload,
        r"^data_buckets\[1\]\.access\[2\]\.cluster: no cluster, serverless application or virtual cluster has this "
        r"name \(got 'reporting'\)\. Fix: use one of \['analytics', 'spark-serverless'\]$",
    )
    assert len(lines) == 1


def _with_runtime_roles(payload: dict[str, Any], *names: str) -> dict[str, Any]:
    payload["clusters"][0]["security"]["runtime_roles"] = {"roles": [{"name": n} for n in names]}
    clusters = {cluster["name"] for cluster in payload["clusters"]}
    for bucket in payload["data_buckets"]:
        for entry in bucket["access"]:
            if entry["cluster"] in clusters:  # a serverless application's jobs have no runtime roles
                entry["runtime_roles"] = list(names[:1])
    return payload


def test_runtime_role_access_entries_are_accepted() -> None:
    config = AppConfig.model_validate(_with_runtime_roles(_dev(), "etl", "analyst"))
    assert config.data_buckets[0].access[0].runtime_roles == ("etl",)


def test_fails_access_entry_naming_an_unknown_runtime_role() -> None:
    payload = _with_runtime_roles(_dev(), "etl")
    payload["data_buckets"][0]["access"][0]["runtime_roles"] = ["etl", "analyst"]
    lines = app_rejects(
        payload,
        r"^data_buckets\[0\]\.access\[0\]\.runtime_roles: cluster analytics has no such runtime role "
        r"\(got 'analyst'\)\. Fix: use one of \['etl'\]$",
    )
    assert len(lines) == 1


def test_fails_runtime_role_on_a_cluster_without_runtime_roles() -> None:
    payload = _dev()
    payload["data_buckets"][0]["access"][0]["runtime_roles"] = ["etl"]
    app_rejects(
        payload,
        r"^data_buckets\[0\]\.access\[0\]\.runtime_roles: cluster analytics has no such runtime role "
        r"\(got 'etl'\)\. Fix: declare it under security\.runtime_roles$",
    )


def test_fails_instance_role_access_on_a_cluster_with_runtime_roles() -> None:
    payload = _with_runtime_roles(_dev(), "etl")
    payload["data_buckets"][1]["access"][0]["runtime_roles"] = []
    lines = app_rejects(
        payload,
        r"^data_buckets\[1\]\.access\[0\]\.runtime_roles: cluster analytics uses runtime roles or Lake Formation: "
        r"data access belongs to runtime roles, not the instance role \(got \[\]\)\. "
        r"Fix: name the runtime roles that get this access \(instance_role: true adds the instance role for "
        r"applications that act as the instance profile\)$",
    )
    assert len(lines) == 1


def test_fails_iceberg_warehouse_in_an_undeclared_bucket() -> None:
    payload = _dev()
    payload["clusters"][0]["data_lake"]["table_formats"]["iceberg"]["warehouse"] = "s3://someone-elses-bucket/wh/"
    lines = app_rejects(
        payload,
        r"^clusters\[0\]\.data_lake\.table_formats\.iceberg\.warehouse: the location is not in a data bucket of "
        r"this config \(got 's3://someone-elses-bucket/wh/'\)\. Fix: declare the bucket under data_buckets "
        r"\(names are emr-constructs-dev-<name>-111111111111-eu-west-1\)$",
    )
    assert len(lines) == 1


def test_fails_hbase_root_dir_in_an_undeclared_bucket() -> None:
    payload = _dev()
    cluster = payload["clusters"][0]
    cluster["applications"].append("HBase")
    cluster["data_lake"]["presets"] = ["spark-hive-glue", "hbase-s3"]
    cluster["data_lake"]["hbase"] = {"root_dir": "s3://emr-constructs-dev-hbase-111111111111-eu-west-1/root/"}
    lines = app_rejects(payload, r"^clusters\[0\]\.data_lake\.hbase\.root_dir: the location is not in a data bucket")
    assert len(lines) == 1
    payload["data_buckets"].append({"name": "hbase"})
    AppConfig.model_validate(payload)


def test_fails_lake_location_in_a_bucket_named_like_a_declared_one() -> None:
    payload = _dev()
    lake_ = payload["clusters"][0]["data_lake"]
    lake_["table_formats"]["iceberg"]["warehouse"] = "s3://emr-constructs-dev-curated-111111111111-eu-west-2/wh/"
    app_rejects(payload, r"^clusters\[0\]\.data_lake\.table_formats\.iceberg\.warehouse: the location is not in")


@pytest.mark.parametrize("prefix", ["sales", "/sales/", "sales//", "sa les/", "sales/2024"])
def test_fails_bad_access_prefix(prefix: str) -> None:
    payload = _dev()
    payload["data_buckets"][1]["access"][0]["prefix"] = prefix
    lines = app_rejects(payload, r"^data_buckets\[1\]\.access\[0\]\.prefix: does not match the required form")
    assert len(lines) == 1


@pytest.mark.parametrize("prefix", ["", "sales/", "sales/2024/", "a.b_c-d/(x)/"])
def test_access_prefixes_ending_with_a_slash_or_empty_are_accepted(prefix: str) -> None:
    payload = with_(_dev(), "data_buckets[1].access[0].prefix", prefix)
    assert AppConfig.model_validate(payload).data_buckets[1].access[0].prefix == prefix


def test_every_app_level_data_problem_is_reported_at_once() -> None:
    payload = copy.deepcopy(_dev())
    payload["data_buckets"].append({"name": "raw", "access": [{"cluster": "nope"}]})
    payload["clusters"][0]["data_lake"]["table_formats"]["iceberg"]["warehouse"] = "s3://elsewhere/wh/"
    with pytest.raises(ValidationError) as info:
        AppConfig.model_validate(payload)
    assert sorted(line.split(":")[0] for line in validation_messages(info.value)) == [
        "clusters[0].data_lake.table_formats.iceberg.warehouse",
        "data_buckets[2].access[0].cluster",
        "data_buckets[2].name",
    ]


def test_trino_glue_writes_the_hive_connector_of_each_installed_engine() -> None:
    spec = valid(lake(["Spark", "Hive", "Presto", "Trino"], presets=["trino-glue"], catalog={"databases": ["raw"]}))
    by_name = {c.classification: dict(c.properties) for c in spec.merged_configurations()}
    assert by_name["trino-connector-hive"] == {"hive.metastore": "glue"}
    assert by_name["presto-connector-hive"] == {"hive.metastore": "glue"}
    assert "prestosql-connector-hive" not in by_name


def test_prestosql_gets_its_own_connector_on_6_3() -> None:
    payload = lake(["Spark", "PrestoSQL"], presets=["trino-glue"], catalog={"databases": ["raw"]})
    payload["release_label"] = "emr-6.3.0"
    by_name = {c.classification: dict(c.properties) for c in valid(payload).merged_configurations()}
    assert by_name["prestosql-connector-hive"] == {"hive.metastore": "glue"}
    assert "trino-connector-hive" not in by_name


def test_fails_msk_cluster_arn_that_is_not_one() -> None:
    rejects(
        lake(
            ["Flink", "Hadoop"],
            presets=["flink"],
            catalog=None,
            flink={"msk_clusters": ["arn:aws:kafka:eu-west-1:111111111111:topic/x/y/z"]},
        ),
        r"^  - data_lake\.flink\.msk_clusters\[0\]: not an Amazon MSK cluster ARN",
    )
