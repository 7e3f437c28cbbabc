"""spark-submit entry point (EMR Serverless, and the local stand-in with the same arguments).

    entrypoint.py --mode batch|streaming --entity customer[,invoice,…] --raw-root s3://<raw bucket>
                  --lake-root s3://<lake bucket>/delta --registry <glue registry> --schema-prefix cdc
                  [--trigger available-now|continuous] [--run-id ID]

Each entity's Avro schema is read from the Glue Schema Registry (`<prefix>.<entity>`, latest
version), so a field added to the schema becomes a column at the next run. Entities of one run
are processed one after the other in one Spark application. Prints one JSON summary line per
entity; exits non-zero if any entity failed (the others are still processed).
"""

import argparse
import json
import os
import sys
import uuid

from .layout import Layout


def latest_schema(registry: str, schema_name: str) -> str:
    import boto3

    glue = boto3.client("glue", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None, region_name=os.environ.get("AWS_REGION", "us-east-1"))
    answer = glue.get_schema_version(SchemaId={"RegistryName": registry, "SchemaName": schema_name}, SchemaVersionNumber={"LatestVersion": True})
    return answer["SchemaDefinition"]


def parse(argv):
    parser = argparse.ArgumentParser(prog="cdc-jobs", description="Merge an entity's raw CDC data into its Delta table")
    parser.add_argument("--mode", choices=["batch", "streaming"], required=True)
    parser.add_argument("--entity", required=True, help="one entity, or several separated by commas")
    parser.add_argument("--raw-root", required=True, help="s3://<raw bucket> (raw objects are under raw/entity=<e>/)")
    parser.add_argument("--lake-root", required=True, help="where the Delta tables live, e.g. s3://<lake bucket>/delta")
    parser.add_argument("--registry", required=True)
    parser.add_argument("--schema-prefix", required=True, help="schemas are named <prefix>.<entity>, like the topics")
    parser.add_argument("--trigger", choices=["available-now", "continuous"], default="available-now")
    parser.add_argument("--run-id", default=None)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    from .batch import run_batch
    from .spark_session import build_spark
    from .streaming import run_streaming

    spark = build_spark(f"cdc-{args.mode}-{args.entity.replace(',', '+')}")
    spark.sparkContext.setLogLevel("WARN")
    failed = []
    try:
        for entity in [e for e in args.entity.split(",") if e]:
            layout = Layout(entity, args.raw_root, args.lake_root)
            try:
                definition = latest_schema(args.registry, f"{args.schema_prefix}.{entity}")
                if args.mode == "batch":
                    summary = run_batch(spark, layout, definition, args.run_id or uuid.uuid4().hex)
                else:
                    summary = run_streaming(spark, layout, definition, args.trigger)
                print(json.dumps({"cdc_job_summary": summary}, default=str), flush=True)
            except Exception as error:  # one entity's failure must not stop the others
                failed.append(entity)
                print(json.dumps({"cdc_job_error": {"entity": entity, "error": f"{type(error).__name__}: {error}"}}), file=sys.stderr, flush=True)
    finally:
        spark.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
