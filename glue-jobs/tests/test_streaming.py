"""The continuous stream (the job launcher's supervised run) on small data: changes written while
it runs reach the table, each micro-batch reports its changes' freshness, and a stream started
again over the same checkpoint applies nothing twice."""

import json
import threading
import time
from datetime import datetime, timezone

from delta.tables import DeltaTable

from cdc_jobs.batch import run_batch
from cdc_jobs.layout import Layout
from cdc_jobs.streaming import run_streaming
from test_jobs import CUSTOMER, change, table_rows, write_raw


def run_in_background(spark, layout):
    """The stream in a thread, as spark-submit runs it; returns the thread and where its result lands."""
    result = {}

    def target():
        try:
            result["summary"] = run_streaming(spark, layout, CUSTOMER, "continuous", trigger_seconds=1)
        except Exception as error:  # the test's assertion names it
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, result


def wait_for(what, probe, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def rows_now(spark, layout):
    """The table's live rows, or {} before the stream's first commit made it a Delta table."""
    return table_rows(spark, layout.table) if DeltaTable.isDeltaTable(spark, layout.table) else {}


def stop_streams(spark, thread):
    for query in spark.streams.active:
        query.stop()
    thread.join(60)
    assert not thread.is_alive()


def batch_lines(text):
    return [json.loads(line)["cdc_stream_batch"] for line in text.splitlines() if line.startswith('{"cdc_stream_batch"')]


def test_a_continuous_stream_applies_changes_written_while_it_runs_and_reports_their_freshness(spark, tmp_path, capsys):
    root = tmp_path / "rawbucket"
    layout = Layout("customer", f"file://{root}", f"file://{tmp_path}/lake")
    write_raw(root, "cdc.customer-0-0-1", [change("a", 1), change("b", 1)])
    thread, result = run_in_background(spark, layout)
    try:
        wait_for("the first micro-batch", lambda: set(rows_now(spark, layout)) == {"a", "b"})
        # Written while the stream runs, in a new day folder too.
        write_raw(root, "cdc.customer-0-2-3", [change("a", 5, name="a5"), change("c", 5)], day="2026-11-25")
        rows = wait_for("the second micro-batch", lambda: (r := rows_now(spark, layout)).get("a", {}).get("displayName") == "a5" and r)
        assert set(rows) == {"a", "b", "c"}
    finally:
        stop_streams(spark, thread)
    assert "error" not in result, result.get("error")
    batches = batch_lines(capsys.readouterr().out)
    assert sum(b["changes"] for b in batches) == 4
    # Each applied change's source time (the fixtures' are on 2026-11-24, 10:00:ss UTC), before its commit.
    assert sorted(t for b in batches for t in b["updated_at"]) == [
        datetime(2026, 11, 24, 10, 0, s, tzinfo=timezone.utc).timestamp() for s in (1, 1, 5, 5)
    ]
    assert all(b["committed_at"] > max(b["updated_at"]) for b in batches)


def test_a_stream_started_again_over_its_checkpoint_applies_nothing_twice(spark, tmp_path, capsys):
    root = tmp_path / "rawbucket"
    layout = Layout("customer", f"file://{root}", f"file://{tmp_path}/lake")
    write_raw(root, "cdc.customer-0-0-1", [change("a", 1), change("b", 1)])
    thread, _ = run_in_background(spark, layout)
    try:
        wait_for("the first micro-batch", lambda: set(rows_now(spark, layout)) == {"a", "b"})
    finally:
        stop_streams(spark, thread)
    version = spark.sql(f"DESCRIBE HISTORY delta.`{layout.table}`").agg({"version": "max"}).first()[0]
    capsys.readouterr()
    # Started again (the launcher's restart): the file it applied is not read again; a new one is.
    write_raw(root, "cdc.customer-0-2-2", [change("c", 3)])
    thread, _ = run_in_background(spark, layout)
    try:
        wait_for("the new file", lambda: "c" in rows_now(spark, layout))
    finally:
        stop_streams(spark, thread)
    batches = batch_lines(capsys.readouterr().out)
    assert [b["changes"] for b in batches] == [1]
    history = spark.sql(f"DESCRIBE HISTORY delta.`{layout.table}`").where(f"version > {version}").collect()
    assert [h["operation"] for h in history] == ["MERGE"]
    assert set(table_rows(spark, layout.table)) == {"a", "b", "c"}


def test_a_batch_run_beside_a_running_stream_on_one_table_corrupts_nothing_and_the_newest_change_wins(spark, tmp_path, capsys):
    """lakeMode both: the batch job (its processed-files log) and the stream (its checkpoint) both apply
    every new raw object to one table; Delta's concurrency control and the MERGE's retry keep it right."""
    root = tmp_path / "rawbucket"
    layout = Layout("customer", f"file://{root}", f"file://{tmp_path}/lake")
    write_raw(root, "cdc.customer-0-0-2", [change("a", 1), change("b", 1), change("d", 1)])
    thread, result = run_in_background(spark, layout)
    try:
        wait_for("the first micro-batch", lambda: set(rows_now(spark, layout)) == {"a", "b", "d"})
        pages = [
            [change("a", 3, name="a3"), change("b", 4, op="DELETE")],
            [change("a", 2, name="late and older"), change("c", 5)],
            [change("d", 6, name="d6"), change("b", 2, name="older than its delete")],
        ]
        for i, rows in enumerate(pages):
            write_raw(root, f"cdc.customer-0-{10 + i}-{10 + i}", rows, day="2026-11-25")
            run_batch(spark, layout, CUSTOMER, f"batch-{i}")
        # The stream has read every object too.
        for query in spark.streams.active:
            query.processAllAvailable()
    finally:
        stop_streams(spark, thread)
    assert "error" not in result, result.get("error")
    assert {k: v["displayName"] for k, v in table_rows(spark, layout.table).items()} == {
        "a": "a3",
        "c": "c at 5",
        "d": "d6",
    }
    history = spark.sql(f"DESCRIBE HISTORY delta.`{layout.table}`").collect()
    # Version 0 creates the table; every commit after it is one MERGE, the stream's or a batch run's.
    assert {h["operation"] for h in history if h["version"] > 0} == {"MERGE"}
    assert len(history) >= 1 + len(pages)
    # The stream applied the new objects too, beside the batch runs: more than its first micro-batch.
    batches = batch_lines(capsys.readouterr().out)
    assert len(batches) >= 2 and sum(b["changes"] for b in batches) > 3
