"""The batch job: the raw objects an entity has not had yet → one MERGE into its Delta table.

What was processed is kept in a small Delta log beside the table, written after the MERGE: a
rerun over the same raw data finds nothing new and leaves the table untouched (same version).
The log keys an object by path *and* version (ETag where the file system gives one, else size and
modification time): an object rewritten in place, e.g. with more rows, is a new object to read.
If a run dies between the MERGE and the log, the next run applies those files again, which the
MERGE's position comparisons turn into a no-op.
"""

from datetime import datetime, timezone
from typing import List, NamedTuple

from delta.tables import DeltaTable
from py4j.protocol import Py4JError
from pyspark.sql import SparkSession
from pyspark.sql.types import StringType, StructField, StructType, TimestampType

from .avro_columns import raw_schema, table_columns
from .layout import Layout
from .merge import add_new_columns, apply_changes, delta_table, fold_legacy_tombstones

PROCESSED_SCHEMA = StructType([
    StructField("path", StringType(), False),
    # Null in logs written before the column existed: those objects are read once more, a no-op MERGE.
    StructField("version", StringType(), True),
    StructField("run_id", StringType(), True),
    StructField("processed_at", TimestampType(), True),
])


class RawObject(NamedTuple):
    path: str
    version: str


def object_version(status) -> str:
    """What changes when an object is rewritten: S3A's ETag, and always size and modification time (EMRFS, file://)."""
    try:
        etag = status.getEtag()  # org.apache.hadoop.fs.EtagSource (S3A); other file systems lack the method
    except Py4JError:
        etag = None
    return f"etag={etag or ''};size={status.getLen()};mtime={status.getModificationTime()}"


def list_raw_files(spark: SparkSession, directory: str) -> List[RawObject]:
    """Every raw object under a prefix (Hadoop FileSystem: s3:// on EMR, s3a to moto locally, file:// in tests)."""
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(directory)
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return []
    found, files = fs.listFiles(path, True), []
    while found.hasNext():
        status = found.next()
        name = status.getPath().toString()
        if name.endswith(".jsonl") or name.endswith(".jsonl.gz"):
            files.append(RawObject(name, object_version(status)))
    return sorted(files)


def run_batch(spark: SparkSession, layout: Layout, definition: str, run_id: str) -> dict:
    fold_legacy_tombstones(spark, layout.table, layout.legacy_tombstones)
    log = delta_table(spark, layout.processed_log, PROCESSED_SCHEMA)
    if add_new_columns(spark, layout.processed_log, log, PROCESSED_SCHEMA):
        log = DeltaTable.forPath(spark, layout.processed_log)
    done = {RawObject(row.path, row.version) for row in log.toDF().select("path", "version").collect()}
    new = [f for f in list_raw_files(spark, layout.raw_prefix) if f not in done]
    summary = {"entity": layout.entity, "mode": "batch", "files": len(new), "run_id": run_id}
    if not new:
        return {**summary, "changes": 0, "table_version": table_version(spark, layout.table)}
    changes = spark.read.schema(raw_schema(definition)).json([f.path for f in new])
    counts = apply_changes(spark, changes, layout.table, table_columns(definition))
    now = datetime.now(timezone.utc)
    spark.createDataFrame([(f.path, f.version, run_id, now) for f in new], PROCESSED_SCHEMA).write.format("delta").mode("append").save(layout.processed_log)
    return {**summary, **counts, "table_version": table_version(spark, layout.table)}


def table_version(spark: SparkSession, path: str):
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]
