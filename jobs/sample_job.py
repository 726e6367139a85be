"""Sample PySpark job shipped with the default app: daily order totals from raw JSON into curated Parquet.

Usage (as an EMR step): spark-submit --deploy-mode cluster sample_job.py <input s3 prefix> <output s3 prefix>

A missing or empty input prefix is not an error: the job reports it and ends successfully, so that a new
environment, whose raw bucket starts empty, runs the job without failing (a failed step fails whatever waits for
it: a CloudFormation deploy, or the transient job flow).
"""

from __future__ import annotations

import sys
from typing import Any

#: The fields the job reads; an explicit schema also lets Spark read an empty prefix.
ORDERS_SCHEMA = "created_at STRING, amount DOUBLE"


def input_files(spark: Any, source: str) -> int:
    """How many files lie under ``source`` (0 when the prefix does not exist), through Hadoop's FileSystem API."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(source)
    filesystem = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not filesystem.exists(path):
        return 0
    return len(filesystem.listStatus(path))


def run(spark: Any, source: str, target: str) -> int:
    """Write the daily totals of ``source`` to ``target``; 0 also when there is no input yet."""
    if input_files(spark, source) == 0:
        print(f"no input under {source}: nothing to do", file=sys.stderr)
        return 0
    orders = spark.read.schema(ORDERS_SCHEMA).json(source)
    from pyspark.sql import functions

    totals = (
        orders.withColumn("day", functions.to_date("created_at"))
        .groupBy("day")
        .agg(functions.count("*").alias("orders"), functions.sum("amount").alias("amount"))
    )
    totals.write.mode("overwrite").partitionBy("day").parquet(target)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: sample_job.py <input s3 prefix> <output s3 prefix>", file=sys.stderr)
        return 2
    source, target = argv
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.appName("emr-constructs-sample-daily-totals").getOrCreate()
    try:
        return run(spark, source, target)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
