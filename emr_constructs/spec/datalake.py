"""Data-lake settings of a cluster: the Glue Data Catalog, table formats and application presets.

Each contributes classifications to the one configuration merge (``ClusterSpec.merged_configurations``) and
declares what IAM the constructs grant; a preset never overrides a user's value: a disagreement is an error
naming both sources.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.problems import ProblemCollector
from emr_constructs.spec.tokens import TOKENS_ALLOWED

GLUE_CLIENT_FACTORY = "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"
S3_PREFIX_URI = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(\S+/)?$"
GLUE_NAME = r"^[a-z0-9_]{1,255}$"
KINESIS_STREAM_ARN = r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]+$"
MSK_CLUSTER_ARN = r"^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9-]+/[A-Za-z0-9-]+$"

PresetName = Literal["spark-hive-glue", "trino-glue", "hbase-s3", "flink", "notebooks"]


class GlueCatalogSpec(SpecModel):
    """Use the AWS Glue Data Catalog as the metastore of every installed engine that can.

    ``databases`` are the only databases (and their tables) the cluster's IAM reaches, besides ``default``,
    which the Hive metastore client reads at start. ``catalog_id`` names another account's catalog (default:
    the cluster's own account).
    """

    databases: tuple[str, ...] = Field(default=(), max_length=50)
    catalog_id: str | None = Field(default=None, pattern=r"^\d{12}$")

    @model_validator(mode="after")
    def _check(self) -> GlueCatalogSpec:
        import re

        problems = ProblemCollector(self)
        for index, name in enumerate(self.databases):
            if not re.match(GLUE_NAME, name):
                problems.add(
                    f"databases[{index}]",
                    name,
                    "Glue database names are lower case letters, digits and _",
                    "use a name such as 'curated_sales'",
                )
        if len(set(self.databases)) != len(self.databases):
            problems.add("databases", list(self.databases), "a database is listed twice", "list each once")
        problems.raise_if_any()
        return self


class IcebergSpec(SpecModel):
    """Apache Iceberg for Spark with a Glue-backed catalog named ``catalog_name`` and its warehouse in S3."""

    warehouse: Annotated[str, Field(pattern=S3_PREFIX_URI), TOKENS_ALLOWED]
    catalog_name: str = Field(default="glue_catalog", pattern=r"^[a-z][a-z0-9_]{0,63}$")


class TableFormatsSpec(SpecModel):
    """Open table formats (EMR Release Guide: Iceberg 6.5.0+, Delta Lake 6.9.0+, Hudi 5.28.0+). Default: none."""

    iceberg: IcebergSpec | None = None
    delta: bool = False
    hudi: bool = False


class HBaseOnS3Spec(SpecModel):
    """HBase with its root directory in S3 (``hbase.emr.storageMode=s3``); ``read_replica`` for a read-only
    replica cluster on the same root directory."""

    root_dir: Annotated[str, Field(pattern=S3_PREFIX_URI), TOKENS_ALLOWED]
    read_replica: bool = False


class FlinkSpec(SpecModel):
    """Flink sources the cluster may read: Kinesis data streams (``stream.grant_read`` on the cluster) and
    Amazon MSK clusters with IAM access control (connect, read every topic, consume with any group), by ARN."""

    kinesis_streams: tuple[str, ...] = ()
    msk_clusters: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> FlinkSpec:
        import re

        problems = ProblemCollector(self)
        for index, arn in enumerate(self.kinesis_streams):
            if not re.match(KINESIS_STREAM_ARN, arn):
                problems.add(
                    f"kinesis_streams[{index}]",
                    arn,
                    "not a Kinesis data stream ARN",
                    "use arn:aws:kinesis:<region>:<account>:stream/<name>",
                )
        for index, arn in enumerate(self.msk_clusters):
            if not re.match(MSK_CLUSTER_ARN, arn):
                problems.add(
                    f"msk_clusters[{index}]",
                    arn,
                    "not an Amazon MSK cluster ARN",
                    "use arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>",
                )
        for field, arns in (("kinesis_streams", self.kinesis_streams), ("msk_clusters", self.msk_clusters)):
            for index, arn in enumerate(arns):
                if arns.index(arn) != index:
                    problems.add(f"{field}[{index}]", arn, "listed twice", "list each once")
        problems.raise_if_any()
        return self


class NotebooksSpec(SpecModel):
    """Livy sessions for notebooks. Default session timeout: one hour of inactivity."""

    session_timeout: str = Field(default="1h", pattern=r"^\d+[smhd]$")


class DataLakeSpec(SpecModel):
    """Catalog, table formats and presets of a cluster.

    ``presets`` defaults to ``spark-hive-glue`` when Spark or Hive is installed (``ClusterSpec.presets``); ``[]``
    turns presets off. Presets need their applications in the cluster's ``applications`` and, except
    ``hbase-s3`` and ``notebooks``, a ``catalog``; ``hbase-s3`` needs ``hbase``, ``flink`` may take ``flink``.
    """

    presets: tuple[PresetName, ...] | None = None
    catalog: GlueCatalogSpec | None = Field(default_factory=GlueCatalogSpec)
    table_formats: TableFormatsSpec = Field(default_factory=TableFormatsSpec)
    hbase: HBaseOnS3Spec | None = None
    flink: FlinkSpec | None = None
    notebooks: NotebooksSpec = Field(default_factory=NotebooksSpec)

    @model_validator(mode="after")
    def _check(self) -> DataLakeSpec:
        problems = ProblemCollector(self)
        presets = self.presets or ()
        if len(set(presets)) != len(presets):
            problems.add("presets", list(presets), "a preset is listed twice", "list each once")
        for preset in ("spark-hive-glue", "trino-glue"):
            if preset in presets and self.catalog is None:
                problems.add(
                    "catalog",
                    None,
                    f"preset {preset} points the engines at the Glue Data Catalog",
                    "add catalog: {databases: [...]} or remove the preset",
                )
        if "hbase-s3" in presets and self.hbase is None:
            problems.add(
                "hbase",
                None,
                "preset hbase-s3 needs the S3 root directory",
                "add hbase: {root_dir: s3://bucket/hbase/}",
            )
        if self.hbase is not None and "hbase-s3" not in presets:
            problems.add("hbase", "set", "hbase settings apply only with preset hbase-s3", "add the preset")
        if self.flink is not None and "flink" not in presets:
            problems.add("flink", "set", "flink settings apply only with preset flink", "add the preset")
        if self.table_formats.iceberg is not None and self.catalog is None:
            problems.add(
                "table_formats.iceberg",
                "set",
                "the Iceberg catalog is backed by the Glue Data Catalog",
                "add catalog: {databases: [...]}",
            )
        problems.raise_if_any()
        return self
