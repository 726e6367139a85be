"""The Spark job the transient cluster runs: order totals per day, read from and written to S3.

Shipped by the CDK app as an asset; the cluster's instance role may read exactly this object.
"""

import sys

from pyspark.sql import SparkSession, functions


def main(source: str, target: str) -> None:
    spark = SparkSession.builder.appName("daily-totals").getOrCreate()
    orders = spark.read.parquet(source)
    totals = orders.groupBy(functions.to_date("ordered_at").alias("day")).agg(functions.sum("amount").alias("total"))
    totals.write.mode("overwrite").parquet(target)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
