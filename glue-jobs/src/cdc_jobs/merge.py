"""Applying changes to an entity's Delta table (DESIGN.md boundary 6).

One change per id wins, the greatest `(updatedAt, eventId)`; it is inserted, updates the row only
when it is newer than the row's, and a DELETE removes the row. Deletes leave a tombstone (id and
the delete's position) in a small companion table, so a late, older change of a deleted id
cannot bring the row back. Every step compares positions, so applying the same changes twice
changes nothing.
"""

from typing import List

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType, TimestampType

NEWER = "(s._updated_at > t._updated_at OR (s._updated_at = t._updated_at AND s._event_id > t._event_id))"
TOMBSTONE_SCHEMA = StructType([
    StructField("id", StringType(), False),
    StructField("_updated_at", TimestampType(), True),
    StructField("_event_id", StringType(), True),
])


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


def apply_changes(spark: SparkSession, changes: DataFrame, table_path: str, tombstones_path: str, columns: List[str]) -> dict:
    """MERGEs one set of raw changes; returns counts. `columns` are the table's columns (see avro_columns.table_columns)."""
    latest = latest_per_id(changes).select("_op", *columns).cache()
    try:
        if latest.isEmpty():
            return {"changes": 0}
        tombstones = delta_table(spark, tombstones_path, TOMBSTONE_SCHEMA)
        # A change not newer than the id's tombstone was deleted already (or is the delete itself).
        live = latest.alias("s").join(tombstones.toDF().alias("t"), F.col("s.id") == F.col("t.id"), "left") \
            .where(F.col("t.id").isNull() | F.expr(NEWER)).select("s.*").cache()
        counts = {"changes": latest.count(), "applied": live.count(), "deletes": live.where("_op = 'DELETE'").count()}
        row_schema = StructType([f for f in latest.schema.fields if f.name != "_op"])
        table = delta_table(spark, table_path, row_schema)
        if add_new_columns(spark, table_path, table, row_schema):
            table = DeltaTable.forPath(spark, table_path)
        upserts = {f"`{c}`": f"s.`{c}`" for c in columns}
        (table.alias("t").merge(live.alias("s"), "t.id = s.id")
            .whenMatchedDelete(condition=f"s._op = 'DELETE' AND {NEWER}")
            .whenMatchedUpdate(condition=f"s._op <> 'DELETE' AND {NEWER}", set=upserts)
            .whenNotMatchedInsert(condition="s._op <> 'DELETE'", values=upserts)
            .execute())
        deletes = live.where("_op = 'DELETE'").select("id", "_updated_at", "_event_id")
        (tombstones.alias("t").merge(deletes.alias("s"), "t.id = s.id")
            .whenMatchedUpdateAll(condition=NEWER)
            .whenNotMatchedInsertAll()
            .execute())
        live.unpersist()
        return counts
    finally:
        latest.unpersist()


def add_new_columns(spark: SparkSession, table_path: str, table: DeltaTable, wanted: StructType) -> List[str]:
    """Schema evolution for this table only: a column the schema gained is added, nullable (older rows read null)."""
    existing = {f.name for f in table.toDF().schema.fields}
    new = [f for f in wanted.fields if f.name not in existing]
    if new:
        ddl = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in new)
        spark.sql(f"ALTER TABLE delta.`{table_path}` ADD COLUMNS ({ddl})")
    return [f.name for f in new]
