"""The local EMR stand-in's warm driver (local/python/warm_driver.py), in this suite's Spark session:
each run gets its own job code, arguments, log and exit status, and nothing of one run is left
for the next one."""

import json
import os
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "local" / "python"))
import warm_driver  # noqa: E402

ENTRY_POINT = """
import sys
from pyspark.sql import SparkSession
from cdc_jobs.probe import VALUE

spark = SparkSession.builder.getOrCreate()
print("value", VALUE, spark.range(3).count(), sys.argv[1:])
spark.stop()
if sys.argv[1] == "raise":
    raise RuntimeError("the job broke")
sys.exit(int(sys.argv[1]))
"""


@pytest.fixture
def own_job_code():
    """The runs import their own cdc_jobs; this suite's cdc_jobs modules are put back afterwards."""
    saved = {name: module for name, module in sys.modules.items() if name == "cdc_jobs" or name.startswith("cdc_jobs.")}
    yield
    warm_driver.forget_job_code()
    sys.modules.update(saved)


def job_code(tmp_path: Path, name: str, value: str) -> str:
    archive = tmp_path / name / "cdc_jobs.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("cdc_jobs/__init__.py", "")
        z.writestr("cdc_jobs/probe.py", f"VALUE = {value!r}\n")
    return str(archive)


def request(tmp_path: Path, job_run_id: str, value: str, argument: str) -> dict:
    entry_point = tmp_path / "entrypoint.py"
    entry_point.write_text(ENTRY_POINT)
    run_file = tmp_path / f"{job_run_id}.json"
    run_file.write_text(json.dumps({"jobRunId": job_run_id, "state": "RUNNING"}))
    return {
        "jobRunId": job_run_id,
        "entryPoint": str(entry_point),
        "pyFiles": [job_code(tmp_path, job_run_id, value)],
        "arguments": [argument],
        "log": str(tmp_path / f"{job_run_id}.log"),
        "runFile": str(run_file),
    }


def test_each_run_has_its_own_code_arguments_log_and_exit_status(spark, tmp_path, own_job_code):
    first, second = request(tmp_path, "run1", "one", "0"), request(tmp_path, "run2", "two", "3")
    path_before, argv_before = list(sys.path), list(sys.argv)
    with warm_driver.job_stops_are_no_ops():
        assert warm_driver.run_one(first) == 0
        assert warm_driver.run_one(second) == 3
    assert "value one 3 ['0']" in Path(first["log"]).read_text()
    assert "value two 3 ['3']" in Path(second["log"]).read_text()
    assert "value one" not in Path(second["log"]).read_text()
    assert (sys.path, sys.argv) == (path_before, argv_before)
    # The job's spark.stop() ended its run only: the session still answers.
    assert SparkSession.getActiveSession() is spark
    assert spark.range(2).count() == 2


def test_a_run_that_raises_fails_with_its_traceback_in_its_log_and_the_next_run_is_served(spark, tmp_path, own_job_code):
    broken, next_one = request(tmp_path, "broken", "x", "raise"), request(tmp_path, "next", "y", "0")
    with warm_driver.job_stops_are_no_ops():
        assert warm_driver.run_one(broken) == 1
        assert warm_driver.run_one(next_one) == 0
    log = Path(broken["log"]).read_text()
    assert "Traceback" in log and "RuntimeError: the job broke" in log
    assert "value y 3 ['0']" in Path(next_one["log"]).read_text()


def test_serve_records_outcomes_takes_claimed_runs_while_idle_and_retires_after_its_idle_time(spark, tmp_path, own_job_code):
    spool = tmp_path / "spool"
    spool.mkdir()
    first, claimed = request(tmp_path, "first", "a", "0"), request(tmp_path, "claimed", "b", "2")
    (spool / "request-first.json").write_text(json.dumps(first))
    with warm_driver.job_stops_are_no_ops():
        server = threading.Thread(target=warm_driver.serve, args=(str(spool), 1.5, "first"))
        server.start()
        deadline = time.monotonic() + 60
        while not (spool / "ready").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert json.loads(Path(first["runFile"]).read_text())["state"] == "SUCCESS"
        # A launcher's claim: the request first, then `ready` renamed (what local/emr/warm-driver.ts does).
        (spool / "request-claimed.json").write_text(json.dumps(claimed))
        os.replace(spool / "ready", spool / "claimed-claimed")
        server.join(60)
    assert not server.is_alive()
    outcome = json.loads(Path(claimed["runFile"]).read_text())
    assert (outcome["state"], outcome["exitCode"]) == ("FAILED", 2)
    assert "endedAt" in outcome
    assert sorted(os.listdir(spool)) == ["retired"]
