"""The streaming job: Structured Streaming over an entity's raw prefix (JSON lines, explicit
schema from the Avro schema), the same MERGE per micro-batch. `available-now` drains what is there
and stops (for scheduled runs); `continuous` keeps running, one micro-batch a minute.

A micro-batch replayed after a failure (same batch id) applies the same changes again, which the
MERGE's position comparisons make a no-op: idempotent per batch id.
"""

from pyspark.sql import DataFrame, SparkSession

from .avro_columns import raw_schema, table_columns
from .layout import Layout
from .merge import apply_changes, fold_legacy_tombstones


def run_streaming(spark: SparkSession, layout: Layout, definition: str, trigger: str = "available-now") -> dict:
    fold_legacy_tombstones(spark, layout.table, layout.legacy_tombstones)
    columns = table_columns(definition)
    applied = {"batches": 0, "changes": 0}

    def each(batch: DataFrame, batch_id: int) -> None:
        counts = apply_changes(spark, batch, layout.table, columns)
        applied["batches"] += 1
        applied["changes"] += counts.get("changes", 0)

    # dt=* subfolders; files are read once each, tracked in the checkpoint.
    stream = spark.readStream.schema(raw_schema(definition)).json(f"{layout.raw_prefix}*/")
    writer = stream.writeStream.foreachBatch(each).option("checkpointLocation", layout.checkpoint)
    writer = writer.trigger(availableNow=True) if trigger == "available-now" else writer.trigger(processingTime="1 minute")
    query = writer.start()
    query.awaitTermination()
    return {"entity": layout.entity, "mode": "streaming", "trigger": trigger, **applied}
