"""Sample PySpark job shipped with the default app: daily order totals from raw JSON into curated Parquet.

Usage (as an EMR step): spark-submit --deploy-mode cluster sample_job.py <input s3 prefix> <output s3 prefix>
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: sample_job.py <input s3 prefix> <output s3 prefix>", file=sys.stderr)
        return 2
    source, target = argv
    from pyspark.sql import SparkSession, functions

    spark = SparkSession.builder.appName("emr-constructs-sample-daily-totals").getOrCreate()
    orders = spark.read.json(source)
    totals = (
        orders.withColumn("day", functions.to_date("created_at"))
        .groupBy("day")
        .agg(functions.count("*").alias("orders"), functions.sum("amount").alias("amount"))
    )
    totals.write.mode("overwrite").partitionBy("day").parquet(target)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
