"""Classifications that the data-lake presets and table formats contribute, each under a source name.

Properties come from the EMR Release Guide pages of each engine: the Glue client factory in ``hive-site`` and
``spark-hive-site`` ("Using the AWS Glue Data Catalog as the metastore for Hive/Spark"), ``hive.metastore=glue``
in ``trino-connector-hive`` (emr-trino-getting-started-launch) and likewise ``presto-connector-hive``,
HBase on S3 (``hbase`` storage mode, ``hbase-site``
root dir; emr-hbase-s3), Iceberg (``iceberg-defaults`` and the Spark catalog settings; emr-iceberg-use-spark-cluster),
Delta (``delta-defaults``; emr-delta) and Hudi's Spark settings (emr-hudi-work-with-dataset).
"""

from __future__ import annotations

from dataclasses import dataclass

from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.datalake import GLUE_CLIENT_FACTORY, DataLakeSpec

Sourced = tuple[str, tuple[ConfigurationSpec, ...]]


@dataclass(frozen=True)
class Needs:
    """Applications a preset needs: every one of ``all_of`` and at least one of ``any_of`` (when given)."""

    all_of: frozenset[str] = frozenset()
    any_of: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.any_of:
            object.__setattr__(self, "any_of", self.all_of)


PRESET_APPLICATIONS: dict[str, Needs] = {
    "spark-hive-glue": Needs(any_of=frozenset({"Spark", "Hive"})),
    "trino-glue": Needs(any_of=frozenset({"Trino", "PrestoSQL", "Presto"})),
    "hbase-s3": Needs(all_of=frozenset({"HBase"})),
    "flink": Needs(all_of=frozenset({"Flink"})),
    "notebooks": Needs(all_of=frozenset({"Livy", "JupyterEnterpriseGateway"})),
}


def _config(classification: str, **properties: str) -> ConfigurationSpec:
    return ConfigurationSpec(classification=classification, properties=properties)


def _spark_hive_glue(lake: DataLakeSpec, installed: set[str]) -> tuple[ConfigurationSpec, ...]:
    catalog = lake.catalog
    settings = {"hive.metastore.client.factory.class": GLUE_CLIENT_FACTORY}
    if catalog is not None and catalog.catalog_id is not None:
        settings["hive.metastore.glue.catalogid"] = catalog.catalog_id
    wanted = [("Hive", "hive-site"), ("Spark", "spark-hive-site")]
    return tuple(
        ConfigurationSpec(classification=name, properties=settings) for app, name in wanted if app in installed
    )


#: The Hive connector's classification per engine name (Trino from emr-6.4.0, PrestoSQL before it, PrestoDB).
HIVE_CONNECTORS = {
    "Trino": "trino-connector-hive",
    "PrestoSQL": "prestosql-connector-hive",
    "Presto": "presto-connector-hive",
}


def _trino_glue(lake: DataLakeSpec, installed: set[str]) -> tuple[ConfigurationSpec, ...]:
    settings = {"hive.metastore": "glue"}
    catalog_id = lake.catalog.catalog_id if lake.catalog is not None else None
    if catalog_id is not None:
        settings["hive.metastore.glue.catalogid"] = catalog_id
    result = [
        ConfigurationSpec(classification=classification, properties=settings)
        for engine, classification in HIVE_CONNECTORS.items()
        if engine in installed
    ]
    if lake.table_formats.iceberg is not None and "Trino" in installed:
        # Trino reads the Iceberg tables through its own connector, on the same Glue catalog.
        iceberg = {"iceberg.catalog.type": "glue"}
        if catalog_id is not None:
            iceberg["hive.metastore.glue.catalogid"] = catalog_id
        result.append(ConfigurationSpec(classification="trino-connector-iceberg", properties=iceberg))
    return tuple(result)


def _hbase_s3(lake: DataLakeSpec) -> tuple[ConfigurationSpec, ...]:
    hbase = lake.hbase
    if hbase is None:
        return ()
    storage = {"hbase.emr.storageMode": "s3"}
    if hbase.read_replica:
        storage["hbase.emr.readreplica.enabled"] = "true"
    return (
        ConfigurationSpec(classification="hbase", properties=storage),
        _config("hbase-site", **{"hbase.rootdir": hbase.root_dir}),
    )


def _notebooks(lake: DataLakeSpec) -> tuple[ConfigurationSpec, ...]:
    return (
        _config(
            "livy-conf",
            **{
                "livy.server.session.timeout-check": "true",
                "livy.server.session.timeout": lake.notebooks.session_timeout,
            },
        ),
    )


def _table_formats(lake: DataLakeSpec) -> tuple[ConfigurationSpec, ...]:
    formats = lake.table_formats
    result: list[ConfigurationSpec] = []
    spark: dict[str, str] = {}
    extensions: list[str] = []
    if formats.iceberg is not None:
        result.append(_config("iceberg-defaults", **{"iceberg.enabled": "true"}))
        catalog = f"spark.sql.catalog.{formats.iceberg.catalog_name}"
        extensions.append("org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        spark.update(
            {
                catalog: "org.apache.iceberg.spark.SparkCatalog",
                f"{catalog}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
                f"{catalog}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
                f"{catalog}.warehouse": formats.iceberg.warehouse,
            }
        )
        if lake.catalog is not None and lake.catalog.catalog_id is not None:
            spark[f"{catalog}.glue.id"] = lake.catalog.catalog_id  # the other account's catalog
    if formats.delta:
        result.append(_config("delta-defaults", **{"delta.enabled": "true"}))
        extensions.append("io.delta.sql.DeltaSparkSessionExtension")
        spark["spark.sql.catalog.spark_catalog"] = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
    if formats.hudi:
        # EMR ships the bundle but does not put it on Spark's class path (emr-hudi-work-with-dataset).
        spark["spark.jars"] = "/usr/lib/hudi/hudi-spark-bundle.jar"
        extensions.append("org.apache.spark.sql.hudi.HoodieSparkSessionExtension")
        spark["spark.sql.catalog.spark_catalog"] = "org.apache.spark.sql.hudi.catalog.HoodieCatalog"
        spark["spark.serializer"] = "org.apache.spark.serializer.KryoSerializer"
    if extensions:
        # One comma-separated list, so that several formats combine instead of conflicting.
        spark["spark.sql.extensions"] = ",".join(extensions)
        result.append(ConfigurationSpec(classification="spark-defaults", properties=spark))
    return tuple(result)


def effective_presets(lake: DataLakeSpec, installed: set[str]) -> tuple[str, ...]:
    """The presets given, or by default ``spark-hive-glue`` when Spark or Hive is installed and a catalog set."""
    if lake.presets is not None:
        return lake.presets
    if installed & {"Spark", "Hive"} and lake.catalog is not None:
        return ("spark-hive-glue",)
    return ()


def configurations(lake: DataLakeSpec, installed: set[str]) -> tuple[Sourced, ...]:
    """Every contribution, in a fixed order, each under the source name that a conflict error shows."""
    presets = effective_presets(lake, installed)
    sources: list[Sourced] = []
    if "spark-hive-glue" in presets:
        sources.append(("preset spark-hive-glue", _spark_hive_glue(lake, installed)))
    if "trino-glue" in presets:
        sources.append(("preset trino-glue", _trino_glue(lake, installed)))
    if "hbase-s3" in presets:
        sources.append(("preset hbase-s3", _hbase_s3(lake)))
    if "notebooks" in presets:
        sources.append(("preset notebooks", _notebooks(lake)))
    formats = _table_formats(lake)
    if formats:
        sources.append(("table formats", formats))
    return tuple(sources)
