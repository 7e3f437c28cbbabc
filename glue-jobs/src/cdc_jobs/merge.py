"""Applying changes to an entity's Delta table (DESIGN.md boundary 6).

One change per id wins, the greatest `(updatedAt, eventId)`; it is inserted, or updates the row only
when it is newer than the row's. A DELETE does not remove the row: it turns it into a tombstone
(`_deleted` true, data columns null, the delete's position kept), so a late, older change of a
deleted id cannot bring it back. Readers see the live rows through `live_rows`.

The tombstone lives in the table itself so that applying a set of changes is one MERGE, one Delta
commit. With the tombstones in a second table, a job could read them before another job's delete
was recorded there, then insert an older change of the id that delete had just removed. In one
table, Delta's optimistic concurrency makes the later of two overlapping MERGEs fail with a
concurrent-modification error; it is retried on the new snapshot, where the position comparisons
decide. Every step compares positions, so applying the same changes twice changes nothing.
"""

import random
import time
from typing import Callable, List, TypeVar

from delta import exceptions as delta_errors
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, StructField, StructType

DELETED = "_deleted"
NEWER = "(s._updated_at > t._updated_at OR (s._updated_at = t._updated_at AND s._event_id > t._event_id))"
# What Delta raises when another commit to the table got in first (delta.exceptions).
CONFLICTS = (
    delta_errors.ConcurrentAppendException, delta_errors.ConcurrentDeleteReadException, delta_errors.ConcurrentDeleteDeleteException,
    delta_errors.ConcurrentTransactionException, delta_errors.ConcurrentWriteException, delta_errors.MetadataChangedException,
    delta_errors.ProtocolChangedException, delta_errors.DeltaConcurrentModificationException,
)
MAX_ATTEMPTS = 6
T = TypeVar("T")


def latest_per_id(changes: DataFrame) -> DataFrame:
    """The greatest (updatedAt, eventId) per id; exact duplicates (same eventId) collapse."""
    order = Window.partitionBy("id").orderBy(F.col("_updated_at").desc(), F.col("_event_id").desc())
    return changes.where(F.col("id").isNotNull()).withColumn("_rank", F.row_number().over(order)).where("_rank = 1").drop("_rank")


def delta_table(spark: SparkSession, path: str, schema: StructType) -> DeltaTable:
    """The Delta table at a path, created (empty, with this schema) the first time."""
    if DeltaTable.isDeltaTable(spark, path):
        return DeltaTable.forPath(spark, path)
    # An empty append creates it (path-based: no metastore, as on EMR Serverless without Glue Catalog).
    spark.createDataFrame([], schema).write.format("delta").mode("append").save(path)
    return DeltaTable.forPath(spark, path)


def retry_conflicts(commit: Callable[[], T], attempts: int = MAX_ATTEMPTS, sleep: Callable[[float], None] = time.sleep) -> T:
    """Runs a commit again when a concurrent commit to the same table won: the rerun reads the new snapshot."""
    for attempt in range(1, attempts + 1):
        try:
            return commit()
        except CONFLICTS:
            if attempt == attempts:
                raise
            # Backoff with jitter, so two jobs that collided do not collide again in step.
            sleep(random.uniform(0, min(30.0, 0.5 * 2 ** attempt)))
    raise AssertionError("unreachable")


def apply_changes(spark: SparkSession, changes: DataFrame, table_path: str, columns: List[str]) -> dict:
    """MERGEs one set of raw changes in one commit; returns counts. `columns` are the table's columns (see avro_columns.table_columns)."""
    latest = latest_per_id(changes).select("_op", *columns).withColumn(DELETED, F.col("_op") == "DELETE").cache()
    try:
        if latest.isEmpty():
            return {"changes": 0}
        counts = {"changes": latest.count(), "deletes": latest.where(F.col(DELETED)).count()}
        row_schema = StructType([f for f in latest.schema.fields if f.name != "_op"])
        retry_conflicts(lambda: merge_rows(spark, latest, table_path, row_schema))
        return counts
    finally:
        latest.unpersist()


def merge_rows(spark: SparkSession, latest: DataFrame, table_path: str, row_schema: StructType) -> None:
    table = delta_table(spark, table_path, row_schema)
    if add_new_columns(spark, table_path, table, row_schema):
        table = DeltaTable.forPath(spark, table_path)
    # A DELETE's data columns are null: the tombstone keeps the id and the delete's position only.
    values = {f"`{f.name}`": f"s.`{f.name}`" for f in row_schema.fields}
    (table.alias("t").merge(latest.alias("s"), "t.id = s.id")
        .whenMatchedUpdate(condition=NEWER, set=values)
        .whenNotMatchedInsert(values=values)
        .execute())


def live_rows(spark: SparkSession, table_path: str) -> DataFrame:
    """What the table holds for readers: its rows without the tombstones (rows written before `_deleted` existed are live)."""
    rows = spark.read.format("delta").load(table_path)
    if DELETED not in rows.columns:
        return rows
    return rows.where(~F.coalesce(F.col(DELETED), F.lit(False))).drop(DELETED)


def fold_legacy_tombstones(spark: SparkSession, table_path: str, tombstones_path: str) -> int:
    """Moves tombstones kept in the companion table (before they lived in the table) into the table, once.

    Idempotent (a tombstone only wins over an older row), so a run that dies before removing the
    companion table just folds it again. Returns how many tombstones were folded.
    """
    if not DeltaTable.isDeltaTable(spark, tombstones_path) or not DeltaTable.isDeltaTable(spark, table_path):
        return 0
    tombstones = spark.read.format("delta").load(tombstones_path).withColumn(DELETED, F.lit(True))
    count = tombstones.count()

    def fold() -> None:
        table = DeltaTable.forPath(spark, table_path)
        wanted = StructType([*table.toDF().schema.fields, StructField(DELETED, BooleanType(), True)])
        if add_new_columns(spark, table_path, table, wanted):
            table = DeltaTable.forPath(spark, table_path)
        data = [f.name for f in table.toDF().schema.fields if f.name not in ("id", "_updated_at", "_event_id", DELETED)]
        marks = {"`_updated_at`": "s._updated_at", "`_event_id`": "s._event_id", f"`{DELETED}`": "true", **{f"`{c}`": "null" for c in data}}
        (table.alias("t").merge(tombstones.alias("s"), "t.id = s.id")
            .whenMatchedUpdate(condition=NEWER, set=marks)
            .whenNotMatchedInsert(values={"`id`": "s.id", **marks})
            .execute())

    retry_conflicts(fold)
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(tombstones_path)
    path.getFileSystem(spark._jsc.hadoopConfiguration()).delete(path, True)
    return count


def add_new_columns(spark: SparkSession, table_path: str, table: DeltaTable, wanted: StructType) -> List[str]:
    """Schema evolution for this table only: a column the schema gained is added, nullable (older rows read null)."""
    existing = {f.name for f in table.toDF().schema.fields}
    new = [f for f in wanted.fields if f.name not in existing]
    if new:
        ddl = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in new)
        spark.sql(f"ALTER TABLE delta.`{table_path}` ADD COLUMNS ({ddl})")
    return [f.name for f in new]
