"""One SparkSession recipe for EMR Serverless and for the local stack.

On EMR Serverless the job's spark-submit parameters already carry Delta; the same settings here
are harmless. Locally, extra jars (Delta, S3A) come from CDC_SPARK_JARS (fetched once by the
local stack, never downloaded by Spark at run time) and `s3://` paths go to moto through S3A
when AWS_ENDPOINT_URL is set.
"""

import os
from typing import Mapping, Optional

from pyspark.sql import SparkSession

DELTA_SETTINGS = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}

# Sized for a 2-core laptop: few shuffle partitions, no UI, modest driver memory. The SQL ones can
# be set on a running session too, which matters when spark-submit chose the local master (the
# local EMR stand-in): with Spark's default 200 shuffle partitions a batch run of the three sample
# entities took 162-171 s here, with these 78 s.
#
# Interpreted expressions instead of generated code: on a laptop's few rows, compiling the generated
# Java (Janino) costs more than it saves. With these three, the pytest suite took 120 and 118 s here
# against 159 and 141 s without (interleaved runs, idle machine); whole-stage codegen and AQE off
# alone gave 158 s, so the interpreted factory is what counts. `factoryMode` is a Spark SQL setting
# meant for tests; it changes how expressions are evaluated, not what they return.
LOCAL_SQL_SETTINGS = {
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.adaptive.enabled": "false",
    # VACUUM lists a table in this many tasks (10,000 by default): on a one-file table here that
    # took 101 s, with 4 tasks 8 s.
    "spark.sql.sources.parallelPartitionDiscovery.parallelism": "4",
}
LOCAL_SETTINGS = {
    **LOCAL_SQL_SETTINGS,
    "spark.default.parallelism": "4",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "1g",
}


def s3a_settings(endpoint: str, env: Mapping[str, str]) -> dict:
    """S3A pointed at an S3-compatible endpoint (moto), serving both s3:// and s3a:// paths like EMR."""
    return {
        "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        "spark.hadoop.fs.s3a.endpoint": endpoint,
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": str(endpoint.startswith("https")).lower(),
        "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "spark.hadoop.fs.s3a.access.key": env.get("AWS_ACCESS_KEY_ID", "test"),
        "spark.hadoop.fs.s3a.secret.key": env.get("AWS_SECRET_ACCESS_KEY", "test"),
        "spark.hadoop.fs.s3a.endpoint.region": env.get("AWS_REGION", "us-east-1"),
    }


def spark_settings(env: Mapping[str, str], local: bool) -> dict:
    settings = dict(DELTA_SETTINGS)
    if local:
        settings.update(LOCAL_SETTINGS)
    jars = env.get("CDC_SPARK_JARS")
    if jars:
        settings["spark.jars"] = jars
    endpoint = env.get("AWS_ENDPOINT_URL")
    if endpoint:
        settings.update(s3a_settings(endpoint, env))
    return settings


def build_spark(app_name: str = "cdc-jobs", master: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> SparkSession:
    env = os.environ if env is None else env
    master = master or env.get("CDC_SPARK_MASTER")
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    for key, value in spark_settings(env, local=bool(master and master.startswith("local"))).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # A master given to spark-submit (`--master local[2]`) is only known once the session exists.
    if spark.sparkContext.master.startswith("local"):
        for key, value in LOCAL_SQL_SETTINGS.items():
            spark.conf.set(key, value)
    return spark
