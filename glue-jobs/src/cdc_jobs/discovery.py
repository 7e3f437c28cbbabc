"""Which raw objects a batch run has not had yet, listing only the day folders that can hold them.

The consumer names an object after the day of its first record's Kafka timestamp
(`raw/entity=<e>/dt=<day>/…`, lib/raw/object-key.ts), so objects do not arrive in day order: a
partition that lags, or a batch MSK delivers again, writes into a day folder older than the
newest one, possibly after that newer day was processed. The rule:

    a run lists the day folders from (last processed day - lookback days) onwards, and reads
    from the processed-files log only the entries of those days.

Why it loses nothing: the consumer's MSK mapping gives a batch up once its records are 6 days old
(serverless.yml `consumerMaxRecordAgeSeconds`; such a batch goes to aws/lambda/, never raw/), so
an object is written at most 6 days after its day. The last processed day counts only objects
listed before the newest object was written, so it is no later than the day that object was
written. Hence a lookback of 6 days reaches every object not yet read; the default, 7, adds a day
for producers' clocks. The window follows the data, not the calendar: a batch job stopped for a
month resumes where it was. A rewritten object keeps its name and so its day folder, and is
found again. Objects outside `dt=YYYY-MM-DD` folders are not the consumer's, and a lag longer
than the lookback (a consumer with a longer age limit, objects copied in by hand) is an
operator's case: `--discovery full` lists the whole prefix and compares it with the whole log.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import List, NamedTuple, Optional, Tuple

from py4j.protocol import Py4JError
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, StringType, StructField, StructType, TimestampType

DEFAULT_LOOKBACK_DAYS = 7
DAY = r"dt=(\d{4}-\d{2}-\d{2})"

PROCESSED_SCHEMA = StructType([
    StructField("path", StringType(), False),
    # Null in logs written before the column existed: those objects are read once more, a no-op MERGE.
    StructField("version", StringType(), True),
    StructField("run_id", StringType(), True),
    StructField("processed_at", TimestampType(), True),
    # The object's day folder, so that a run reads only the log entries of the days it lists. Null
    # in logs written before the column existed: the day is then read from the path.
    StructField("dt", DateType(), True),
])


class RawObject(NamedTuple):
    path: str
    version: str


@dataclass(frozen=True)
class Discovery:
    mode: str = "incremental"  # or "full": the whole prefix against the whole log
    lookback_days: int = DEFAULT_LOOKBACK_DAYS


class Found(NamedTuple):
    objects: List[RawObject]
    summary: dict


def object_version(status) -> str:
    """What changes when an object is rewritten: S3A's ETag, and always size and modification time (EMRFS, file://)."""
    try:
        etag = status.getEtag()  # org.apache.hadoop.fs.EtagSource (S3A); other file systems lack the method
    except Py4JError:
        etag = None
    return f"etag={etag or ''};size={status.getLen()};mtime={status.getModificationTime()}"


def _file_system(spark: SparkSession, directory: str):
    path = spark._jvm.org.apache.hadoop.fs.Path(directory)
    return path.getFileSystem(spark._jsc.hadoopConfiguration()), path


def list_raw_files(spark: SparkSession, directory: str) -> List[RawObject]:
    """Every raw object under a prefix (Hadoop FileSystem: s3:// on EMR, s3a to moto locally, file:// in tests)."""
    fs, path = _file_system(spark, directory)
    if not fs.exists(path):
        return []
    found, files = fs.listFiles(path, True), []
    while found.hasNext():
        status = found.next()
        name = status.getPath().toString()
        if name.endswith(".jsonl") or name.endswith(".jsonl.gz"):
            files.append(RawObject(name, object_version(status)))
    return sorted(files)


def folder_day(name: str) -> Optional[date]:
    match = re.fullmatch(DAY, name)
    try:
        return date.fromisoformat(match[1]) if match else None
    except ValueError:  # dt=2026-13-01 is no folder the consumer writes
        return None


def day_of(path: str) -> Optional[date]:
    """The day folder an object is in (the folder right above it, as the consumer writes)."""
    parts = path.rstrip("/").split("/")
    return folder_day(parts[-2]) if len(parts) > 1 else None


def day_folders(spark: SparkSession, prefix: str) -> List[Tuple[date, str]]:
    """The prefix's day folders, oldest first: one delimited listing of the prefix, none of the objects."""
    fs, path = _file_system(spark, prefix)
    if not fs.exists(path):
        return []
    folders = []
    for status in fs.listStatus(path):
        day = folder_day(status.getPath().getName())
        if status.isDirectory() and day:
            folders.append((day, status.getPath().toString()))
    return sorted(folders)


def path_day() -> Column:
    """`day_of` in Spark, for log entries written before the log had `dt`."""
    return F.to_date(F.regexp_extract("path", f"/{DAY}/[^/]*$", 1))


def last_processed_day(log: DataFrame) -> Optional[date]:
    """The newest day in the log. Delta answers `max(dt)` from its file statistics, reading no data
    file, once every file has them (a log from before `dt`: after maintenance's next OPTIMIZE).

    Entries from before `dt` existed count, by their paths, only while no entry has `dt`; leaving
    them out afterwards can only give an older day than the true last one, which widens the
    window, never narrows it.
    """
    newest = log.agg(F.max("dt")).first()[0]
    if newest is None:
        newest = log.where(F.col("dt").isNull()).agg(F.max(path_day())).first()[0]
    return newest


def entries_since(log: DataFrame, since: date) -> DataFrame:
    # Written so that Delta's data skipping can use dt's min/max: files of older days are not read.
    return log.where((F.col("dt") >= F.lit(since)) | (F.col("dt").isNull() & (path_day() >= F.lit(since))))


def unprocessed(spark: SparkSession, listed: List[RawObject], entries: DataFrame) -> List[RawObject]:
    """The listed objects whose (path, version) no entry holds; compared in Spark, so no log comes to the driver."""
    if not listed:
        return []
    objects = spark.createDataFrame(listed, "path string, version string")
    new = objects.join(entries.select("path", "version"), ["path", "version"], "left_anti")
    return sorted(RawObject(row.path, row.version) for row in new.collect())


def discover(spark: SparkSession, raw_prefix: str, log: DataFrame, discovery: Discovery) -> Found:
    if discovery.mode == "full":
        return Found(unprocessed(spark, list_raw_files(spark, raw_prefix), log), {"mode": "full"})
    last = last_processed_day(log)
    since = last - timedelta(days=discovery.lookback_days) if last else None
    folders = [folder for day, folder in day_folders(spark, raw_prefix) if since is None or day >= since]
    listed = [o for folder in folders for o in list_raw_files(spark, folder)]
    entries = log if since is None else entries_since(log, since)
    summary = {"mode": "incremental", "from": since.isoformat() if since else None, "days": len(folders)}
    return Found(unprocessed(spark, listed, entries), summary)


def record_processed(spark: SparkSession, log_path: str, objects: List[RawObject], run_id: str) -> None:
    now = datetime.now(timezone.utc)
    rows = [(o.path, o.version, run_id, now, day_of(o.path)) for o in objects]
    spark.createDataFrame(rows, PROCESSED_SCHEMA).write.format("delta").mode("append").save(log_path)
