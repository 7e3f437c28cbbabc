"""The local EMR stand-in's warm driver: one spark-submit'ed PySpark driver that runs job runs one
after the other in its Spark session, as EMR Serverless's pre-initialized capacity keeps a
driver warm between runs.

    spark-submit <the run's spark-submit parameters> warm_driver.py <spool dir> <idle seconds> <first job run id>

A cold spark-submit spends ~20 s of this machine's two cores on the JVM, the session and the
first queries before it reads a row: a batch rerun that finds no new object took 25 s. Here only
the first run pays for it. Each run still gets what spark-submit gives it: its own entry point
and `--py-files` (the `cdc_jobs` modules of the previous run are forgotten first), its own
arguments, its stdout and stderr in its own log, its exit status as its state.

The protocol with local/emr/warm-driver.ts, through files in the spool dir:
  request-<id>.json  a run to do: {jobRunId, entryPoint, pyFiles, arguments, log, runFile}
  ready              present while this driver is idle; a launcher claims the driver by renaming
                     it to claimed-<id> (atomic: of two launchers one wins, the other runs cold)
  claimed-<id>       the run this driver does next
  retired            renamed from `ready` when the driver stops after its idle time, so no
                     launcher can claim it meanwhile
"""

import contextlib
import json
import os
import runpy
import sys
import time
import traceback
from datetime import datetime, timezone

from pyspark.sql import SparkSession

POLL_SECONDS = 0.05


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def update_run(run_file: str, **changes) -> None:
    """Whole or not at all, as stage/emr-runs.ts writes run.json (a temporary file renamed over it)."""
    with open(run_file) as f:
        run = json.load(f)
    run.update(changes)
    partial = f"{run_file}.{os.getpid()}.tmp"
    with open(partial, "w") as f:
        f.write(json.dumps(run, indent=2) + "\n")
    os.replace(partial, run_file)


def forget_job_code() -> None:
    """The next run imports its own cdc_jobs (its own --py-files), not the previous run's."""
    for name in [m for m in sys.modules if m == "cdc_jobs" or m.startswith("cdc_jobs.")]:
        del sys.modules[name]


@contextlib.contextmanager
def job_stops_are_no_ops():
    """A job's spark.stop() ends its run, not the driver's session; the original stop is yielded."""
    session_stop = SparkSession.stop
    SparkSession.stop = lambda self: None
    try:
        yield session_stop
    finally:
        SparkSession.stop = session_stop


def run_one(request: dict) -> int:
    """Runs one job run's entry point as spark-submit would run it as __main__; returns its exit status."""
    forget_job_code()
    saved_path, saved_argv = list(sys.path), list(sys.argv)
    sys.path[:0] = request["pyFiles"]
    sys.argv = [request["entryPoint"], *request["arguments"]]
    code = 0
    with open(request["log"], "a", buffering=1) as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        print(f"warm driver (python pid {os.getpid()}) runs {request['jobRunId']}; Spark's own log: .stack/logs/emr-driver.log", file=sys.stderr)
        try:
            runpy.run_path(request["entryPoint"], run_name="__main__")
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:  # the run fails; the driver goes on
            traceback.print_exc()
            code = 1
        finally:
            sys.path[:], sys.argv = saved_path, saved_argv
            forget_job_code()
            spark = SparkSession.getActiveSession()
            if spark is not None:
                for query in spark.streams.active:  # a run's streams end with it
                    query.stop()
                spark.catalog.clearCache()
    return code


def serve(spool: str, idle_seconds: float, first: str) -> None:
    """Runs `first`, then every run claimed while idle, until idle for idle_seconds or the JVM is gone."""
    parent = os.getppid()
    pending, idle_since = first, time.monotonic()
    while True:
        if pending is not None:
            with open(os.path.join(spool, f"request-{pending}.json")) as f:
                request = json.load(f)
            code = run_one(request)
            update_run(request["runFile"], state="SUCCESS" if code == 0 else "FAILED", exitCode=code, endedAt=now())
            for name in (f"request-{pending}.json", f"claimed-{pending}"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(spool, name))
            with open(os.path.join(spool, "ready.tmp"), "w") as f:
                f.write(str(parent))
            os.replace(os.path.join(spool, "ready.tmp"), os.path.join(spool, "ready"))
            pending, idle_since = None, time.monotonic()
        claimed = sorted(n for n in os.listdir(spool) if n.startswith("claimed-"))
        if claimed:
            pending = claimed[0][len("claimed-"):]
            continue
        if os.getppid() != parent:  # the JVM (spark-submit) is gone
            return
        if time.monotonic() - idle_since > idle_seconds:
            try:
                os.replace(os.path.join(spool, "ready"), os.path.join(spool, "retired"))
            except FileNotFoundError:
                continue  # claimed just now: serve it
            return
        time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    with job_stops_are_no_ops() as session_stop:
        serve(sys.argv[1], float(sys.argv[2]), sys.argv[3])
    active = SparkSession.getActiveSession()
    if active is not None:
        session_stop(active)
