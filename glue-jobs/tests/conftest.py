import pytest

from cdc_jobs.spark_session import build_spark


@pytest.fixture(scope="session")
def spark():
    session = build_spark("cdc-jobs-tests", master="local[2]")
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()
