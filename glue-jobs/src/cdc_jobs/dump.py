"""Prints Delta tables as JSON lines, for tests and operators:

    python -m cdc_jobs.dump s3://<lake bucket>/delta/customer [...]

One line per live row: {"table": path, "row": {...}} (timestamps ISO-8601 UTC, nulls kept; the
tombstones of deleted ids are not rows), then {"table": path, "version": N, "rows": n}.
"""

import json
import sys

from delta.tables import DeltaTable

from .merge import live_rows
from .spark_session import build_spark


def main(paths) -> int:
    spark = build_spark("cdc-dump")
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.jsonGenerator.ignoreNullFields", "false")
    try:
        for path in paths:
            if not DeltaTable.isDeltaTable(spark, path):
                print(json.dumps({"table": path, "version": None, "rows": 0}), flush=True)
                continue
            df = live_rows(spark, path)
            count = 0
            for line in df.toJSON().collect():
                print(json.dumps({"table": path, "row": json.loads(line)}), flush=True)
                count += 1
            version = DeltaTable.forPath(spark, path).history(1).select("version").first()[0]
            print(json.dumps({"table": path, "version": version, "rows": count}), flush=True)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
