"""The streaming job: Structured Streaming over an entity's raw prefix (JSON lines, explicit
schema from the Avro schema), the same MERGE per micro-batch. `available-now` drains what is there
and stops (for scheduled runs); `continuous` keeps running, one micro-batch every
`trigger_seconds` (the job launcher supervises it: EMR Serverless STREAMING mode).

A micro-batch replayed after a failure (same batch id) applies the same changes again, which the
MERGE's position comparisons make a no-op: idempotent per batch id.

Each micro-batch that applied changes prints one line, `{"cdc_stream_batch": {...}}`: its batch
id, the changes it applied, when it committed (epoch seconds) and each applied change's
`_updated_at` (epoch seconds): with a source that stamps changes with its wall clock, their
difference is each change's freshness, from the source to its row in Delta; the demo maps the
simulator's own clock to the time each change appeared (local/demo/freshness.ts).
"""

import json
from datetime import datetime, timezone

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .avro_columns import raw_schema, table_columns
from .layout import Layout
from .merge import apply_changes, fold_legacy_tombstones, latest_per_id


def run_streaming(spark: SparkSession, layout: Layout, definition: str, trigger: str = "available-now", trigger_seconds: int = 60) -> dict:
    """Runs the entity's stream to its end: available-now drains and returns; continuous returns only when stopped."""
    query, applied = start_streaming(spark, layout, definition, trigger, trigger_seconds)
    query.awaitTermination()
    return {"entity": layout.entity, "mode": "streaming", "trigger": trigger, **applied}


def start_streaming(spark: SparkSession, layout: Layout, definition: str, trigger: str = "available-now", trigger_seconds: int = 60):
    """Starts the entity's stream; returns the query and the counts its micro-batches add to.

    One application runs the streams of several entities at once (`jobGrouping: all`): each is
    started, then the application waits on all of them (cdc_jobs.main).
    """
    fold_legacy_tombstones(spark, layout.table, layout.legacy_tombstones)
    columns = table_columns(definition)
    applied = {"batches": 0, "changes": 0}

    def each(batch: DataFrame, batch_id: int) -> None:
        batch = batch.cache()
        try:
            counts = apply_changes(spark, batch, layout.table, columns)
            applied["batches"] += 1
            applied["changes"] += counts.get("changes", 0)
            if counts.get("changes", 0) > 0:
                report_batch(layout.entity, batch_id, batch, counts)
        finally:
            batch.unpersist()

    # dt=* subfolders; files are read once each, tracked in the checkpoint.
    stream = spark.readStream.schema(raw_schema(definition)).json(f"{layout.raw_prefix}*/")
    writer = stream.writeStream.foreachBatch(each).option("checkpointLocation", layout.checkpoint)
    writer = writer.trigger(availableNow=True) if trigger == "available-now" else writer.trigger(processingTime=f"{trigger_seconds} seconds")
    # Named, so a failure says whose stream it was.
    return writer.queryName(f"cdc_{layout.entity}").start(), applied


def report_batch(entity: str, batch_id: int, batch: DataFrame, counts: dict) -> None:
    """The micro-batch's line: its commit time and the source time of each change the MERGE got (the latest per id)."""
    committed = datetime.now(timezone.utc).timestamp()
    # Epoch seconds: a timestamp collected as a datetime would be in the Python process's time zone.
    epochs = latest_per_id(batch).select(F.col("_updated_at").cast("double")).collect()
    updated = sorted(row[0] for row in epochs if row[0] is not None)
    line = {"entity": entity, "batch_id": batch_id, **counts, "committed_at": committed, "updated_at": updated}
    print(json.dumps({"cdc_stream_batch": line}), flush=True)
