"""The data lake of an EMR Serverless application: the Glue Data Catalog as metastore and Apache Iceberg tables.

EMR Serverless User Guide: "Metastore configuration" (metastore-config: jobs started through the API use the Glue
Data Catalog only with the client factory set in ``spark-defaults``, or ``hive-site`` for Hive) and "Using Apache
Iceberg with EMR Serverless" (using-iceberg: the runtime JAR, the session extensions and a Glue-backed catalog).
Their properties join the application's own ``configurations`` through the one configuration merge
(``merge_configurations``): a disagreement is an error naming both sources.
"""

from __future__ import annotations

from pydantic import model_validator

from emr_constructs.spec.base import SpecModel
from emr_constructs.spec.configurations import ConfigurationSpec
from emr_constructs.spec.datalake import GLUE_CLIENT_FACTORY, GlueCatalogSpec, IcebergSpec
from emr_constructs.spec.problems import ProblemCollector

#: using-iceberg: where EMR Serverless ships the Iceberg runtime.
ICEBERG_JAR = "/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar"


class ServerlessDataLakeSpec(SpecModel):
    """``catalog``: the Glue Data Catalog as the metastore, and the only databases the execution role reaches
    (besides ``default``); ``iceberg``: Iceberg tables in a Glue-backed Spark catalog (needs ``catalog``).
    Default: neither (the jobs' metastore is then the engine's own, inside each job run)."""

    catalog: GlueCatalogSpec | None = None
    iceberg: IcebergSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> ServerlessDataLakeSpec:
        problems = ProblemCollector(self)
        if self.iceberg is not None and self.catalog is None:
            problems.add(
                "iceberg",
                "set",
                "the Iceberg catalog is backed by the Glue Data Catalog",
                "add catalog: {databases: [...]}",
            )
        problems.raise_if_any()
        return self

    def configurations(self, application_type: str) -> tuple[ConfigurationSpec, ...]:
        """The classifications the catalog and Iceberg contribute for a ``Spark`` or ``Hive`` application."""
        if self.catalog is None:
            return ()
        factory = {"hive.metastore.client.factory.class": GLUE_CLIENT_FACTORY}
        if self.catalog.catalog_id is not None:
            factory["hive.metastore.glue.catalogid"] = self.catalog.catalog_id
        if application_type == "Hive":
            return (ConfigurationSpec(classification="hive-site", properties=factory),)
        spark = {f"spark.hadoop.{key}": value for key, value in factory.items()}
        if self.iceberg is not None:
            catalog = f"spark.sql.catalog.{self.iceberg.catalog_name}"
            spark.update(
                {
                    "spark.jars": ICEBERG_JAR,
                    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
                    catalog: "org.apache.iceberg.spark.SparkCatalog",
                    f"{catalog}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
                    f"{catalog}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
                    f"{catalog}.warehouse": self.iceberg.warehouse,
                }
            )
            if self.catalog.catalog_id is not None:
                spark[f"{catalog}.glue.id"] = self.catalog.catalog_id
        return (ConfigurationSpec(classification="spark-defaults", properties=spark),)
