"""The job logic on small data: the MERGE rules, the batch job's processed-files log and which day
folders it lists, the streaming job, schema evolution and column types, maintenance (OPTIMIZE,
VACUUM) and the Glue Data Catalog entry. Raw files are written in DESIGN.md's layout (boundary 5)
to a local folder, exactly as the consumer writes them to S3."""

import gzip
import json
import os
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from delta.exceptions import ConcurrentAppendException
from delta.tables import DeltaTable
from pyspark.sql.types import DoubleType, TimestampType

from cdc_jobs.avro_columns import data_columns, raw_schema, table_columns
from cdc_jobs.batch import run_batch, table_version
from cdc_jobs.catalog import register_delta_table
from cdc_jobs.discovery import Discovery, RawObject, list_raw_files, record_processed
from cdc_jobs.layout import Layout
from cdc_jobs.main import parse
from cdc_jobs.maintenance import DEFAULT_TIME_TRAVEL_HOURS, RetentionTooShort, interval_hours, run_maintenance
from cdc_jobs.merge import apply_changes, live_rows, retry_conflicts
from cdc_jobs.streaming import run_streaming
from test_spark_env import moto_reachable

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
CUSTOMER = (SCHEMAS / "customer.avsc").read_text()


def change(id, at, op="UPSERT", event=None, name=None, city="London", **extra):
    row = {
        "_op": op, "_updated_at": f"2026-11-24T10:00:{at:02d}.000Z", "_event_id": event or f"{id}-{at:02d}".ljust(32, "0"),
        "_schema_version_id": "v1", "_kafka_topic": "cdc.customer", "_kafka_partition": 0, "_kafka_offset": at, "id": id,
    }
    if op == "DELETE":
        return {**row, "displayName": None, "address_city": None, "balance": None, "createdAt": None}
    return {**row, "displayName": name or f"{id} at {at}", "email": None, "phone": None, "address_line1": "1 Main St", "address_city": city,
            "address_postalCode": None, "address_country": "GB", "balance": 10.5 + at, "active": True, "createdAt": "2026-01-01T00:00:00.000Z", **extra}


def write_raw(root: Path, name: str, rows, entity="customer", day="2026-11-24"):
    folder = root / "raw" / f"entity={entity}" / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / f"{name}.jsonl.gz", "wt") as out:
        for row in rows:
            out.write(json.dumps(row) + "\n")


def evolved_customer():
    """The customer schema after an optional field was added (BACKWARD compatible)."""
    evolved = json.loads(CUSTOMER)
    data = next(f for f in evolved["fields"] if f["name"] == "data")["type"][1]
    data["fields"].append({"name": "loyaltyTier", "type": ["null", "string"], "default": None})
    return json.dumps(evolved)


def table_rows(spark, path):
    """The live rows, as readers see them (cdc_jobs.dump prints the same)."""
    return {r["id"]: r.asDict() for r in live_rows(spark, path).collect()}


@pytest.fixture
def layout(tmp_path):
    return Layout("customer", f"file://{tmp_path}/rawbucket", f"file://{tmp_path}/lake")


def apply(spark, layout, rows, definition=CUSTOMER):
    df = spark.read.schema(raw_schema(definition)).json(spark.sparkContext.parallelize([json.dumps(r) for r in rows]))
    return apply_changes(spark, df, layout.table, table_columns(definition))


def test_columns_are_typed_from_the_avro_schema():
    types = dict(data_columns(CUSTOMER))
    assert list(types)[:4] == ["displayName", "email", "phone", "address_line1"]
    assert isinstance(types["balance"], DoubleType)
    assert isinstance(types["createdAt"], TimestampType)
    assert table_columns(CUSTOMER)[0] == "id" and table_columns(CUSTOMER)[-2:] == ["_updated_at", "_event_id"]


def test_merge_keeps_the_newest_change_per_id_and_never_lets_an_older_one_win(spark, layout):
    apply(spark, layout, [change("a", 1), change("a", 3, name="a newest"), change("a", 2), change("b", 1)])
    assert {k: v["displayName"] for k, v in table_rows(spark, layout.table).items()} == {"a": "a newest", "b": "b at 1"}
    apply(spark, layout, [change("a", 2, name="late and older"), change("b", 5, name="b newer")])
    rows = table_rows(spark, layout.table)
    assert rows["a"]["displayName"] == "a newest"
    assert rows["b"]["displayName"] == "b newer"
    # Same timestamp: the greater eventId wins.
    apply(spark, layout, [change("b", 5, event="z" * 32, name="b tie winner"), change("b", 5, event="0" * 32, name="b tie loser")])
    assert table_rows(spark, layout.table)["b"]["displayName"] == "b tie winner"


def test_a_delete_removes_the_row_and_a_late_older_change_does_not_bring_it_back(spark, layout):
    apply(spark, layout, [change("a", 1), change("b", 1)])
    apply(spark, layout, [change("a", 4, op="DELETE")])
    assert set(table_rows(spark, layout.table)) == {"b"}
    apply(spark, layout, [change("a", 2, name="late")])
    assert set(table_rows(spark, layout.table)) == {"b"}
    apply(spark, layout, [change("a", 6, name="re-created")])
    assert table_rows(spark, layout.table)["a"]["displayName"] == "re-created"


def test_applying_the_same_changes_twice_changes_nothing(spark, layout):
    rows = [change("a", 1), change("b", 2), change("c", 3, op="DELETE")]
    apply(spark, layout, rows)
    first = table_rows(spark, layout.table)
    apply(spark, layout, rows)
    assert table_rows(spark, layout.table) == first


def test_batch_reads_only_new_raw_objects_and_a_rerun_leaves_the_table_version_unchanged(spark, layout, tmp_path):
    root = tmp_path / "rawbucket"
    write_raw(root, "cdc.customer-0-0-2", [change("a", 1), change("b", 1), change("a", 2, name="a2")])
    first = run_batch(spark, layout, CUSTOMER, "run-1")
    assert first["files"] == 1 and first["changes"] == 2
    again = run_batch(spark, layout, CUSTOMER, "run-2")
    assert again["files"] == 0 and again["table_version"] == first["table_version"]
    write_raw(root, "cdc.customer-1-0-0", [change("b", 3, op="DELETE")], day="2026-11-25")
    third = run_batch(spark, layout, CUSTOMER, "run-3")
    assert third["files"] == 1 and third["table_version"] > first["table_version"]
    assert {k: v["displayName"] for k, v in table_rows(spark, layout.table).items()} == {"a": "a2"}
    typed = spark.read.format("delta").load(layout.table).schema
    assert isinstance(typed["_updated_at"].dataType, TimestampType) and isinstance(typed["balance"].dataType, DoubleType)


def test_streaming_available_now_over_the_same_raw_data_gives_the_same_table(spark, tmp_path):
    root = tmp_path / "rawbucket"
    write_raw(root, "cdc.customer-0-0-3", [change("a", 1), change("b", 1), change("a", 2, name="a2"), change("c", 1)])
    write_raw(root, "cdc.customer-2-0-1", [change("c", 5, op="DELETE"), change("d", 2)], day="2026-11-25")
    batch = Layout("customer", f"file://{root}", f"file://{tmp_path}/lake-batch")
    stream = Layout("customer", f"file://{root}", f"file://{tmp_path}/lake-stream")
    run_batch(spark, batch, CUSTOMER, "b")
    summary = run_streaming(spark, stream, CUSTOMER, "available-now")
    assert summary["batches"] >= 1
    assert table_rows(spark, stream.table) == table_rows(spark, batch.table)
    assert set(table_rows(spark, stream.table)) == {"a", "b", "d"}
    # Nothing new: a second drain applies nothing.
    assert run_streaming(spark, stream, CUSTOMER, "available-now")["changes"] == 0


def test_a_new_optional_field_becomes_a_new_nullable_column_with_older_rows_null(spark, layout, tmp_path):
    root = tmp_path / "rawbucket"
    write_raw(root, "cdc.customer-0-0-0", [change("a", 1)])
    run_batch(spark, layout, CUSTOMER, "1")
    write_raw(root, "cdc.customer-0-1-1", [change("b", 2, loyaltyTier="gold")])
    run_batch(spark, layout, evolved_customer(), "2")
    rows = table_rows(spark, layout.table)
    assert rows["a"]["loyaltyTier"] is None and rows["b"]["loyaltyTier"] == "gold"
    history = DeltaTable.forPath(spark, layout.table).history().select("operation").collect()
    assert "ADD COLUMNS" in {h.operation for h in history}
    assert spark.conf.get("spark.databricks.delta.schema.autoMerge.enabled", "false") == "false"


def test_batch_reads_again_a_raw_object_rewritten_with_more_rows(spark, layout, tmp_path):
    root = tmp_path / "rawbucket"
    write_raw(root, "cdc.customer-0-0-1", [change("a", 1)])
    first = run_batch(spark, layout, CUSTOMER, "run-1")
    assert first["files"] == 1
    write_raw(root, "cdc.customer-0-0-1", [change("a", 1), change("b", 2)])
    second = run_batch(spark, layout, CUSTOMER, "run-2")
    assert second["files"] == 1
    assert set(table_rows(spark, layout.table)) == {"a", "b"}
    assert run_batch(spark, layout, CUSTOMER, "run-3")["files"] == 0


def test_batch_reads_once_more_the_objects_of_a_log_written_before_it_kept_versions(spark, layout, tmp_path):
    root = tmp_path / "rawbucket"
    write_raw(root, "cdc.customer-0-0-0", [change("a", 1)])
    objects = list_raw_files(spark, layout.raw_prefix)
    spark.createDataFrame([(o.path, "old-run", None) for o in objects], "path string, run_id string, processed_at timestamp") \
        .write.format("delta").save(layout.processed_log)
    assert run_batch(spark, layout, CUSTOMER, "run-1")["files"] == 1
    assert run_batch(spark, layout, CUSTOMER, "run-2")["files"] == 0
    assert set(table_rows(spark, layout.table)) == {"a"}


TEN_DAYS = [f"2026-11-{d}" for d in range(15, 25)]


def record_listed_folders(monkeypatch):
    """The folders the batch job lists objects in, by name (dt=…), in the order it lists them."""
    from cdc_jobs import discovery

    listed, list_raw_files_ = [], discovery.list_raw_files

    def listing(spark, directory):
        listed.append(directory.rstrip("/").rsplit("/", 1)[-1])
        return list_raw_files_(spark, directory)

    monkeypatch.setattr(discovery, "list_raw_files", listing)
    return listed


def test_batch_lists_only_the_days_from_the_last_processed_day_minus_the_lookback_and_finds_a_late_object_there(spark, layout, tmp_path, monkeypatch):
    root, lookback = tmp_path / "rawbucket", Discovery(lookback_days=2)
    for n, day in enumerate(TEN_DAYS):
        write_raw(root, f"cdc.customer-0-{n}-{n}", [change(f"c{n}", 1)], day=day)
    first = run_batch(spark, layout, CUSTOMER, "run-1", lookback)
    assert first["files"] == 10 and first["discovery"] == {"mode": "incremental", "from": None, "days": 10}
    write_raw(root, "cdc.customer-0-10-10", [change("c9", 2, name="c9 again")], day="2026-11-24")
    # Partition 1 lagged: its batch is named after its first record's day, older than the newest.
    write_raw(root, "cdc.customer-1-0-0", [change("late", 1)], day="2026-11-23")
    write_raw(root, "cdc.customer-0-11-11", [change("new", 1)], day="2026-11-25")
    listed = record_listed_folders(monkeypatch)
    second = run_batch(spark, layout, CUSTOMER, "run-2", lookback)
    assert second["files"] == 3 and second["discovery"] == {"mode": "incremental", "from": "2026-11-22", "days": 4}
    assert listed == ["dt=2026-11-22", "dt=2026-11-23", "dt=2026-11-24", "dt=2026-11-25"]
    rows = table_rows(spark, layout.table)
    assert set(rows) == {f"c{n}" for n in range(10)} | {"late", "new"} and rows["c9"]["displayName"] == "c9 again"
    again = run_batch(spark, layout, CUSTOMER, "run-3", lookback)
    assert again["files"] == 0 and again["table_version"] == second["table_version"]
    assert again["discovery"]["from"] == "2026-11-23"


def test_an_object_older_than_the_lookback_is_left_to_a_full_discovery(spark, layout, tmp_path):
    root = tmp_path / "rawbucket"
    write_raw(root, "cdc.customer-0-0-0", [change("a", 1)], day="2026-11-20")
    write_raw(root, "cdc.customer-0-1-1", [change("b", 1)], day="2026-11-24")
    record_processed(spark, layout.processed_log, list_raw_files(spark, layout.raw_prefix), "earlier-run")
    write_raw(root, "cdc.customer-1-0-0", [change("very late", 1)], day="2026-11-20")
    assert run_batch(spark, layout, CUSTOMER, "run-1", Discovery(lookback_days=2))["files"] == 0
    full = run_batch(spark, layout, CUSTOMER, "run-2", Discovery(mode="full"))
    assert full["files"] == 1 and full["discovery"] == {"mode": "full"}
    assert set(table_rows(spark, layout.table)) == {"very late"}


def test_a_processed_log_from_before_it_kept_day_folders_still_skips_the_objects_it_holds(spark, layout, tmp_path):
    root = tmp_path / "rawbucket"
    for n, day in enumerate(["2026-11-22", "2026-11-23", "2026-11-24"]):
        write_raw(root, f"cdc.customer-0-{n}-{n}", [change(f"c{n}", 1)], day=day)
    spark.createDataFrame([(o.path, o.version, "old-run", None) for o in list_raw_files(spark, layout.raw_prefix)],
                          "path string, version string, run_id string, processed_at timestamp").write.format("delta").save(layout.processed_log)
    write_raw(root, "cdc.customer-1-0-0", [change("late", 1)], day="2026-11-23")
    run = run_batch(spark, layout, CUSTOMER, "run-1", Discovery(lookback_days=1))
    # The last day (24) comes from the old entries' paths, and so do the days of the entries it skips.
    assert run["files"] == 1 and run["discovery"] == {"mode": "incremental", "from": "2026-11-23", "days": 2}
    assert set(table_rows(spark, layout.table)) == {"late"}
    # Now the log's newest dt is 23 (the late object's): a wider window, old entries still recognised.
    again = run_batch(spark, layout, CUSTOMER, "run-2", Discovery(lookback_days=1))
    assert again["files"] == 0 and again["discovery"]["from"] == "2026-11-22"


def rows_as_of(spark, path, version):
    return {r["id"]: r.asDict() for r in spark.read.format("delta").option("versionAsOf", version).load(path).collect()}


def test_maintenance_compacts_and_vacuums_without_changing_rows_or_time_travel_inside_the_retention(spark, layout):
    apply(spark, layout, [change("a", 1), change("b", 1)])
    first = table_version(spark, layout.table)
    apply(spark, layout, [change("a", 2, name="a2"), change("c", 1)])
    for n in range(2):
        record_processed(spark, layout.processed_log, [RawObject(f"file:/raw/entity=customer/dt=2026-11-24/cdc.customer-0-{n}-{n}.jsonl", "v")], f"run-{n}")
    live, earlier = table_rows(spark, layout.table), rows_as_of(spark, layout.table, first)
    entries = spark.read.format("delta").load(layout.processed_log).collect()
    # A file no version references (a write that died), older than the retention: VACUUM's to delete.
    stray = Path(layout.table.removeprefix("file://")) / "part-00000-stray.snappy.parquet"
    stray.write_bytes(b"")
    ten_days_ago = time.time() - 10 * 24 * 3600
    os.utime(stray, (ten_days_ago, ten_days_ago))
    summary = run_maintenance(spark, layout, DEFAULT_TIME_TRAVEL_HOURS)
    assert summary["mode"] == "maintenance" and summary["retention_hours"] == 168
    assert summary["table"]["compacted_files"] > 1 and summary["table"]["written_files"] == 1
    assert summary["processed_log"]["compacted_files"] == 2
    assert summary["table"]["vacuum_deleted_files"] == 1 and not stray.exists()
    assert table_rows(spark, layout.table) == live and earlier != live
    # The first version's files were replaced by the second MERGE and by OPTIMIZE; VACUUM kept them.
    assert rows_as_of(spark, layout.table, first) == earlier
    assert sorted(spark.read.format("delta").load(layout.processed_log).collect()) == sorted(entries)


def test_maintenance_refuses_a_time_travel_window_below_the_tables_deleted_file_retention(spark, layout):
    spark.createDataFrame([("a",)], "id string").write.format("delta").save(layout.table)
    with pytest.raises(RetentionTooShort, match=r"--time-travel-hours 24 is below 168 h, the delta\.deletedFileRetentionDuration"):
        run_maintenance(spark, layout, 24)
    assert table_version(spark, layout.table) == 0
    assert spark.conf.get("spark.databricks.delta.retentionDurationCheck.enabled", "true") == "true"


def test_delta_interval_properties_are_read_in_hours():
    assert interval_hours("interval 1 weeks") == 168
    assert interval_hours("interval 2 days 12 hours") == 60
    assert interval_hours("30 minutes") == 0.5
    with pytest.raises(ValueError):
        interval_hours("interval 1 month")


def test_job_arguments_default_to_incremental_discovery_and_a_week_of_time_travel():
    base = ["--entity", "customer", "--raw-root", "s3://raw", "--lake-root", "s3://lake/delta"]
    args = parse(["--mode", "batch", "--registry", "r", "--schema-prefix", "cdc", *base])
    assert (args.discovery, args.discovery_lookback_days, args.time_travel_hours, args.catalog_database) == ("incremental", 7, 168, None)
    assert parse(["--mode", "maintenance", *base]).registry is None
    for bad in (["--mode", "batch", *base], ["--mode", "maintenance", "--discovery-lookback-days", "-1", *base],
                ["--mode", "maintenance", "--time-travel-hours", "0", *base]):
        with pytest.raises(SystemExit):
            parse(bad)


def test_the_table_is_registered_in_the_glue_catalog_for_athena_and_follows_schema_evolution(spark, layout, monkeypatch):
    import boto3
    from moto import mock_aws

    # In-process moto: with the stack's endpoint set, boto3 would talk to the stack's moto server instead.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    apply(spark, layout, [change("a", 1)])
    with mock_aws():
        glue = boto3.client("glue", region_name="us-east-1")
        glue.create_database(DatabaseInput={"Name": "cdc_lake"})

        def entry():
            table = glue.get_table(DatabaseName="cdc_lake", Name="customer")["Table"]
            return table, {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}

        assert register_delta_table(spark, glue, "cdc_lake", layout) == "created"
        table, columns = entry()
        assert table["TableType"] == "EXTERNAL_TABLE" and table["StorageDescriptor"]["Location"] == layout.table
        assert table["Parameters"]["table_type"] == "DELTA" and table["Parameters"]["spark.sql.sources.provider"] == "delta"
        assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"path": layout.table}
        assert list(columns)[:2] == ["id", "displayName"] and "loyaltyTier" not in columns
        assert (columns["balance"], columns["active"], columns["_updated_at"], columns["_deleted"]) == ("double", "boolean", "timestamp", "boolean")
        assert register_delta_table(spark, glue, "cdc_lake", layout) == "unchanged"
        glue.update_table(DatabaseName="cdc_lake", TableInput={**{k: table[k] for k in ("Name", "TableType", "StorageDescriptor", "PartitionKeys")},
                                                                "Parameters": {**table["Parameters"], "owner_team": "data"}})
        apply(spark, layout, [change("b", 2, loyaltyTier="gold")], definition=evolved_customer())
        assert register_delta_table(spark, glue, "cdc_lake", layout) == "updated"
        table, columns = entry()
        assert list(columns)[-1] == "loyaltyTier" and columns["loyaltyTier"] == "string"
        assert table["Parameters"]["owner_team"] == "data" and table["Parameters"]["table_type"] == "DELTA"


def test_batch_on_s3_reads_again_an_object_overwritten_with_more_rows(spark, tmp_path):
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint or not moto_reachable(endpoint):
        pytest.skip("needs the local stack's moto (AWS_ENDPOINT_URL): npm run stack:up")
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    bucket = f"it-rewrite-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    key = "raw/entity=customer/dt=2026-11-24/cdc.customer-0-0-1.jsonl"
    layout = Layout("customer", f"s3://{bucket}", f"file://{tmp_path}/lake")
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(change("a", 1)) + "\n")
        assert run_batch(spark, layout, CUSTOMER, "run-1")["files"] == 1
        s3.put_object(Bucket=bucket, Key=key, Body="".join(json.dumps(r) + "\n" for r in [change("a", 1), change("b", 2)]))
        assert run_batch(spark, layout, CUSTOMER, "run-2")["files"] == 1
        assert set(table_rows(spark, layout.table)) == {"a", "b"}
        versions = {row.version for row in spark.read.format("delta").load(layout.processed_log).collect()}
        assert all(v.startswith("etag=") and not v.startswith("etag=;") for v in versions)
    finally:
        for listed in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=listed["Key"])
        s3.delete_bucket(Bucket=bucket)


def test_a_job_that_runs_between_another_jobs_commits_does_not_bring_a_deleted_row_back(spark, layout, monkeypatch):
    """Job A deletes `a`. Job B carries a late, older change of `a` and runs in full just after A's
    first commit to the table (a batch run beside a streaming run, or `customer` beside
    `customer+invoice`): B must see A's delete as a tombstone, not as an id it has never seen."""
    from delta.tables import DeltaMergeBuilder

    apply(spark, layout, [change("a", 1), change("b", 1)])
    original, interleaved = DeltaMergeBuilder.execute, []

    def execute_then_let_job_b_run(builder):
        result = original(builder)
        if not interleaved:
            interleaved.append(True)
            apply(spark, layout, [change("a", 2, name="late and older")])
        return result

    monkeypatch.setattr(DeltaMergeBuilder, "execute", execute_then_let_job_b_run)
    apply(spark, layout, [change("a", 4, op="DELETE")])
    monkeypatch.undo()
    assert interleaved
    assert set(table_rows(spark, layout.table)) == {"b"}


def test_two_jobs_merging_into_one_table_at_once_both_finish_and_the_newest_change_wins(spark, layout):
    apply(spark, layout, [change("a", 1), change("b", 1)])
    start, results = threading.Barrier(2), {}

    def job(name, rows):
        start.wait()
        results[name] = apply(spark, layout, rows)

    threads = [threading.Thread(target=job, args=("deletes", [change("a", 4, op="DELETE"), change("c", 3)])),
               threading.Thread(target=job, args=("late", [change("a", 2, name="late and older"), change("b", 2, name="b2")]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["deletes"]["changes"] == 2 and results["late"]["changes"] == 2
    assert {k: v["displayName"] for k, v in table_rows(spark, layout.table).items()} == {"b": "b2", "c": "c at 3"}


def test_a_delete_keeps_only_the_id_and_its_position_in_the_table_and_readers_do_not_see_it(spark, layout):
    apply(spark, layout, [change("a", 1, name="Ada")])
    apply(spark, layout, [change("a", 4, op="DELETE")])
    stored = [r.asDict() for r in spark.read.format("delta").load(layout.table).collect()]
    assert len(stored) == 1 and stored[0]["_deleted"] is True and stored[0]["displayName"] is None
    assert stored[0]["_event_id"] == change("a", 4, op="DELETE")["_event_id"]
    assert table_rows(spark, layout.table) == {}
    assert "_deleted" not in live_rows(spark, layout.table).columns


def test_tombstones_kept_beside_the_table_by_earlier_versions_are_folded_in_and_still_win(spark, layout, tmp_path):
    """A lake written before tombstones lived in the table: live rows without `_deleted`, tombstones in _cdc_state."""
    table_schema = "id string, displayName string, _updated_at timestamp, _event_id string"
    spark.createDataFrame([("b", "b at 1", datetime(2026, 11, 24, 10, 0, 1), "b-01".ljust(32, "0"))], table_schema) \
        .write.format("delta").save(layout.table)
    spark.createDataFrame([("a", datetime(2026, 11, 24, 10, 0, 4), "a-04".ljust(32, "0"))], "id string, _updated_at timestamp, _event_id string") \
        .write.format("delta").save(layout.legacy_tombstones)
    assert set(table_rows(spark, layout.table)) == {"b"}
    write_raw(tmp_path / "rawbucket", "cdc.customer-0-0-0", [change("a", 2, name="late and older")])
    run_batch(spark, layout, CUSTOMER, "after-upgrade")
    assert set(table_rows(spark, layout.table)) == {"b"}
    assert not DeltaTable.isDeltaTable(spark, layout.legacy_tombstones)
    write_raw(tmp_path / "rawbucket", "cdc.customer-0-1-1", [change("a", 6, name="re-created")])
    run_batch(spark, layout, CUSTOMER, "later")
    assert table_rows(spark, layout.table)["a"]["displayName"] == "re-created"


def test_a_merge_that_lost_to_a_concurrent_commit_is_run_again_and_gives_up_after_the_last_attempt(spark):  # Delta's errors need the JVM
    calls, pauses = [], []

    def commit():
        calls.append(1)
        if len(calls) < 3:
            raise ConcurrentAppendException("Files were added to the root of the table by a concurrent update.", stackTrace="")
        return "committed"

    assert retry_conflicts(commit, sleep=pauses.append) == "committed"
    assert len(calls) == 3 and len(pauses) == 2

    def always_conflicts():
        raise ConcurrentAppendException("again", stackTrace="")

    with pytest.raises(ConcurrentAppendException):
        retry_conflicts(always_conflicts, attempts=2, sleep=pauses.append)
