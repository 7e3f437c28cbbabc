"""The batch job: the raw objects an entity has not had yet → one MERGE into its Delta table.

What was processed is kept in a small Delta log beside the table, written after the MERGE: a
rerun over the same raw data finds nothing new and leaves the table untouched (same version).
The log keys an object by path *and* version (ETag where the file system gives one, else size and
modification time): an object rewritten in place, e.g. with more rows, is a new object to read.
If a run dies between the MERGE and the log, the next run applies those files again, which the
MERGE's position comparisons turn into a no-op. Which day folders a run lists, and which log
entries it reads, is discovery's rule (see cdc_jobs.discovery).
"""

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from .avro_columns import raw_schema, table_columns
from .discovery import PROCESSED_SCHEMA, Discovery, discover, record_processed
from .layout import Layout
from .merge import add_new_columns, apply_changes, delta_table, fold_legacy_tombstones


def processed_log(spark: SparkSession, layout: Layout) -> DeltaTable:
    """The processed-files log, created the first time and given the columns later versions added."""
    log = delta_table(spark, layout.processed_log, PROCESSED_SCHEMA)
    if add_new_columns(spark, layout.processed_log, log, PROCESSED_SCHEMA):
        log = DeltaTable.forPath(spark, layout.processed_log)
    return log


def run_batch(spark: SparkSession, layout: Layout, definition: str, run_id: str, discovery: Discovery = Discovery()) -> dict:
    fold_legacy_tombstones(spark, layout.table, layout.legacy_tombstones)
    found = discover(spark, layout.raw_prefix, processed_log(spark, layout).toDF(), discovery)
    new = found.objects
    summary = {"entity": layout.entity, "mode": "batch", "files": len(new), "discovery": found.summary, "run_id": run_id}
    if not new:
        return {**summary, "changes": 0, "table_version": table_version(spark, layout.table)}
    changes = spark.read.schema(raw_schema(definition)).json([f.path for f in new])
    counts = apply_changes(spark, changes, layout.table, table_columns(definition))
    record_processed(spark, layout.processed_log, new, run_id)
    return {**summary, **counts, "table_version": table_version(spark, layout.table)}


def table_version(spark: SparkSession, path: str):
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]
