"""Prints Delta tables as JSON lines, for tests and operators:

    python -m cdc_jobs.dump s3://<lake bucket>/delta/customer [...]
    python -m cdc_jobs.dump --serve

One line per live row: {"table": path, "row": {...}} (timestamps ISO-8601 UTC, nulls kept; the
tombstones of deleted ids are not rows), then {"table": path, "version": N, "rows": n}.

With --serve, one Spark session answers many dumps: each line read from stdin is a JSON array
of table paths, answered as above and ended by {"done": true}; end of input stops it.
"""

import json
import sys

from delta.tables import DeltaTable

from .merge import live_rows
from .spark_session import build_spark


def dump(spark, paths) -> None:
    for path in paths:
        if not DeltaTable.isDeltaTable(spark, path):
            print(json.dumps({"table": path, "version": None, "rows": 0}), flush=True)
            continue
        df = live_rows(spark, path)
        count = 0
        for line in df.toJSON().collect():
            print(json.dumps({"table": path, "row": json.loads(line)}))
            count += 1
        version = DeltaTable.forPath(spark, path).history(1).select("version").first()[0]
        print(json.dumps({"table": path, "version": version, "rows": count}), flush=True)


def serve(spark) -> None:
    for line in sys.stdin:
        if line.strip():
            dump(spark, json.loads(line))
            print(json.dumps({"done": True}), flush=True)


def main(args) -> int:
    spark = build_spark("cdc-dump")
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.jsonGenerator.ignoreNullFields", "false")
    try:
        if args == ["--serve"]:
            serve(spark)
        else:
            dump(spark, args)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
