"""The Spark environment the jobs rely on: the EMR Serverless 7.x versions, Delta, and S3 through S3A."""

import os
import urllib.request
import uuid

import pytest


def test_runs_the_emr_serverless_7_versions_of_spark_and_delta():
    import delta
    import pyspark
    from importlib.metadata import version

    assert pyspark.__version__.startswith("3.5.")
    assert version("delta-spark").startswith("3.3.")
    assert delta.tables.DeltaTable is not None


def test_writes_and_reads_back_a_delta_table_on_a_local_path(spark, tmp_path):
    path = str(tmp_path / "customers")
    rows = [("c-1", "Ada", 1), ("c-2", "Grace", 2)]
    spark.createDataFrame(rows, "id string, displayName string, version int").write.format("delta").save(path)

    back = sorted(tuple(r) for r in spark.read.format("delta").load(path).collect())
    assert back == rows
    assert (tmp_path / "customers" / "_delta_log" / "00000000000000000000.json").exists()


def moto_reachable(endpoint):
    # The dashboard page, not data.json: a dump of a busy shared moto takes longer than the timeout.
    try:
        urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2)
        return True
    except OSError:
        return False


def test_writes_and_reads_back_a_delta_table_on_s3_through_moto(spark):
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint or not moto_reachable(endpoint):
        pytest.skip("needs the local stack's moto (AWS_ENDPOINT_URL): npm run stack:up")
    import boto3

    bucket = f"it-spark-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test").create_bucket(Bucket=bucket)
    path = f"s3://{bucket}/lake/payment"
    rows = [("p-1", 10.5), ("p-2", 99.0)]
    spark.createDataFrame(rows, "id string, amount double").write.format("delta").save(path)

    back = sorted(tuple(r) for r in spark.read.format("delta").load(path).collect())
    assert back == rows
    keys = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test").list_objects_v2(Bucket=bucket)["Contents"]
    assert any(k["Key"].startswith("lake/payment/_delta_log/") for k in keys)
