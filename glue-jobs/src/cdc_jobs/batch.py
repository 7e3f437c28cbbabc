"""The batch job: the raw objects an entity has not had yet → one MERGE into its Delta table.

What was processed is kept in a small Delta log beside the table, written after the MERGE: a
rerun over the same raw data finds nothing new and leaves the table untouched (same version).
If a run dies between the MERGE and the log, the next run applies those files again, which the
MERGE's position comparisons turn into a no-op.
"""

from datetime import datetime, timezone
from typing import List

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql.types import StringType, StructField, StructType, TimestampType

from .avro_columns import raw_schema, table_columns
from .layout import Layout
from .merge import apply_changes, delta_table

PROCESSED_SCHEMA = StructType([
    StructField("path", StringType(), False),
    StructField("run_id", StringType(), True),
    StructField("processed_at", TimestampType(), True),
])


def list_raw_files(spark: SparkSession, directory: str) -> List[str]:
    """Every raw object under a prefix (Hadoop FileSystem: s3:// on EMR, s3a to moto locally, file:// in tests)."""
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(directory)
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return []
    found, files = fs.listFiles(path, True), []
    while found.hasNext():
        name = found.next().getPath().toString()
        if name.endswith(".jsonl") or name.endswith(".jsonl.gz"):
            files.append(name)
    return sorted(files)


def run_batch(spark: SparkSession, layout: Layout, definition: str, run_id: str) -> dict:
    log = delta_table(spark, layout.processed_log, PROCESSED_SCHEMA)
    done = {row.path for row in log.toDF().select("path").collect()}
    new = [f for f in list_raw_files(spark, layout.raw_prefix) if f not in done]
    summary = {"entity": layout.entity, "mode": "batch", "files": len(new), "run_id": run_id}
    if not new:
        return {**summary, "changes": 0, "table_version": table_version(spark, layout.table)}
    changes = spark.read.schema(raw_schema(definition)).json(new)
    counts = apply_changes(spark, changes, layout.table, layout.tombstones, table_columns(definition))
    now = datetime.now(timezone.utc)
    spark.createDataFrame([(f, run_id, now) for f in new], PROCESSED_SCHEMA).write.format("delta").mode("append").save(layout.processed_log)
    return {**summary, **counts, "table_version": table_version(spark, layout.table)}


def table_version(spark: SparkSession, path: str):
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]
