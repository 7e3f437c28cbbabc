"""Keeping an entity's Delta tables fast: OPTIMIZE compacts the small files every MERGE and every
processed-log append leaves, then VACUUM deletes the files no version inside the retention needs.
Both run on the entity's table and on its processed-files log.

The retention rule: VACUUM keeps every file that a version current within the last
`time_travel_hours` needs (Delta counts from when a file left the table), so time travel inside
that window reads, and a job that started reading a snapshot inside it (a streaming micro-batch's
MERGE, a batch run) still finds its files. The window is never shorter than the table's own
`delta.deletedFileRetentionDuration` (168 h unless set): Delta's safety check
(`spark.databricks.delta.retentionDurationCheck.enabled`) stays on, and a shorter window is
refused before either table is touched, naming the setting. Time travel further back than
`delta.logRetentionDuration` (30 days unless set) is bounded by the log, not by VACUUM.

OPTIMIZE commits with `dataChange = false`: readers see the same rows, and a MERGE that loses to
it is retried on the new snapshot like any other conflict (merge.retry_conflicts); so is OPTIMIZE.
"""

import re
from typing import Optional

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from .layout import Layout
from .merge import retry_conflicts

DEFAULT_TIME_TRAVEL_HOURS = 168
# Delta's default delta.deletedFileRetentionDuration ("interval 1 week").
DELTA_DELETED_FILE_RETENTION_HOURS = 168.0
INTERVAL_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(week|day|hour|minute|second|millisecond|microsecond)s?\b", re.IGNORECASE)
UNIT_HOURS = {"week": 168, "day": 24, "hour": 1, "minute": 1 / 60, "second": 1 / 3600,
              "millisecond": 1 / 3_600_000, "microsecond": 1 / 3_600_000_000}


class RetentionTooShort(ValueError):
    pass


def interval_hours(text: str) -> float:
    """Hours in a Delta interval property ("interval 1 weeks", "7 days 12 hours")."""
    parts = INTERVAL_PART.findall(text)
    if not parts:
        raise ValueError(f"cannot read the interval {text!r}")
    return sum(float(amount) * UNIT_HOURS[unit.lower()] for amount, unit in parts)


def deleted_file_retention_hours(table: DeltaTable) -> float:
    """The table's delta.deletedFileRetentionDuration: the shortest VACUUM retention Delta's check allows."""
    value = table.detail().select("properties").first()[0].get("delta.deletedFileRetentionDuration")
    return DELTA_DELETED_FILE_RETENTION_HOURS if value is None else interval_hours(value)


def check_retention(path: str, table: DeltaTable, hours: float) -> None:
    allowed = deleted_file_retention_hours(table)
    if hours < allowed:
        raise RetentionTooShort(
            f"--time-travel-hours {hours:g} is below {allowed:g} h, the delta.deletedFileRetentionDuration of {path}: "
            "VACUUM would delete files that time travel or a running job may still read. Raise --time-travel-hours "
            "(or lower the table property deliberately); spark.databricks.delta.retentionDurationCheck.enabled stays on.")


def last_vacuum_deleted(table: DeltaTable) -> Optional[int]:
    """Files the last VACUUM deleted, from its VACUUM END commit (None where Delta's vacuum logging is off)."""
    for entry in table.history(5).select("operation", "operationMetrics").collect():
        if entry.operation == "VACUUM END":
            return int(entry.operationMetrics["numDeletedFiles"])
    return None


def maintain(table: DeltaTable, hours: float) -> dict:
    metrics = retry_conflicts(lambda: table.optimize().executeCompaction().first().metrics)
    table.vacuum(float(hours))
    return {"compacted_files": metrics.numFilesRemoved, "written_files": metrics.numFilesAdded,
            "vacuum_deleted_files": last_vacuum_deleted(table)}


def run_maintenance(spark: SparkSession, layout: Layout, time_travel_hours: float = DEFAULT_TIME_TRAVEL_HOURS) -> dict:
    paths = {"table": layout.table, "processed_log": layout.processed_log}
    tables = {name: DeltaTable.forPath(spark, path) for name, path in paths.items() if DeltaTable.isDeltaTable(spark, path)}
    for name, table in tables.items():
        check_retention(paths[name], table, time_travel_hours)
    done = {name: maintain(table, time_travel_hours) for name, table in tables.items()}
    return {"entity": layout.entity, "mode": "maintenance", "retention_hours": time_travel_hours, **done}
