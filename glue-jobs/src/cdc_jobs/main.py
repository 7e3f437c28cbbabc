"""spark-submit entry point (EMR Serverless, and the local stand-in with the same arguments).

    entrypoint.py --mode batch|streaming|maintenance --entity customer[,invoice,…]
                  --raw-root s3://<raw bucket> --lake-root s3://<lake bucket>/delta
                  --registry <glue registry> --schema-prefix cdc      (batch and streaming)
                  [--trigger available-now|continuous] [--trigger-seconds 60]  (streaming)
                  [--discovery incremental|full] [--discovery-lookback-days 7] [--run-id ID]  (batch)
                  [--time-travel-hours 168]                           (maintenance)
                  [--catalog-database <glue database>]

Each entity's Avro schema is read from the Glue Schema Registry (`<prefix>.<entity>`, latest
version), so a field added to the schema becomes a column at the next run. Entities of one run
are processed one after the other in one Spark application. Prints one JSON summary line per
entity; exits non-zero if any entity failed (the others are still processed).

- `--discovery`: `incremental` lists only the raw day folders from the last processed day minus
  `--discovery-lookback-days` onwards (the rule and why it is safe: cdc_jobs.discovery); `full`
  lists the whole raw prefix against the whole processed-files log, for an operator.
- `--mode maintenance`: OPTIMIZE, then VACUUM keeping `--time-travel-hours` of history, on the
  entity's table and its processed-files log (cdc_jobs.maintenance); no schema registry needed.
- `--catalog-database`: after each run, the entity's table is created or updated in that Glue
  Data Catalog database, for Athena (cdc_jobs.catalog); absent, the catalog is not touched.
"""

import argparse
import json
import os
import sys
import uuid

from .batch import run_batch
from .catalog import register_delta_table
from .discovery import DEFAULT_LOOKBACK_DAYS, Discovery
from .layout import Layout
from .maintenance import DEFAULT_TIME_TRAVEL_HOURS, run_maintenance
from .spark_session import build_spark
from .streaming import run_streaming, start_streaming


def glue_client():
    import boto3

    return boto3.client("glue", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None, region_name=os.environ.get("AWS_REGION", "us-east-1"))


def latest_schema(glue, registry: str, schema_name: str) -> str:
    answer = glue.get_schema_version(SchemaId={"RegistryName": registry, "SchemaName": schema_name}, SchemaVersionNumber={"LatestVersion": True})
    return answer["SchemaDefinition"]


def at_least(minimum: float, kind=int):
    def parse(text: str):
        value = kind(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}, got {text}")
        return value
    return parse


def parse(argv):
    parser = argparse.ArgumentParser(prog="cdc-jobs", description="Merge an entity's raw CDC data into its Delta table, or maintain it")
    parser.add_argument("--mode", choices=["batch", "streaming", "maintenance"], required=True)
    parser.add_argument("--entity", required=True, help="one entity, or several separated by commas")
    parser.add_argument("--raw-root", required=True, help="s3://<raw bucket> (raw objects are under raw/entity=<e>/)")
    parser.add_argument("--lake-root", required=True, help="where the Delta tables live, e.g. s3://<lake bucket>/delta")
    parser.add_argument("--registry", help="the Glue schema registry (batch, streaming)")
    parser.add_argument("--schema-prefix", help="schemas are named <prefix>.<entity>, like the topics (batch, streaming)")
    parser.add_argument("--trigger", choices=["available-now", "continuous"], default="available-now")
    parser.add_argument("--trigger-seconds", type=at_least(1), default=60, help="a continuous stream's micro-batch interval")
    parser.add_argument("--discovery", choices=["incremental", "full"], default="incremental")
    parser.add_argument("--discovery-lookback-days", type=at_least(0), default=DEFAULT_LOOKBACK_DAYS,
                        help="day folders re-listed before the last processed day")
    parser.add_argument("--time-travel-hours", type=at_least(1, float), default=DEFAULT_TIME_TRAVEL_HOURS,
                        help="history VACUUM keeps; not below the tables' delta.deletedFileRetentionDuration")
    parser.add_argument("--catalog-database", default=None, help="Glue Data Catalog database to register the tables in")
    parser.add_argument("--run-id", default=None)
    args = parser.parse_args(argv)
    if args.mode != "maintenance" and not (args.registry and args.schema_prefix):
        parser.error(f"--registry and --schema-prefix are required for --mode {args.mode}")
    return args


def run_entity(spark, glue, args, layout: Layout) -> dict:
    if args.mode == "maintenance":
        summary = run_maintenance(spark, layout, args.time_travel_hours)
    else:
        definition = latest_schema(glue, args.registry, f"{args.schema_prefix}.{layout.entity}")
        if args.mode == "batch":
            discovery = Discovery(args.discovery, args.discovery_lookback_days)
            summary = run_batch(spark, layout, definition, args.run_id or uuid.uuid4().hex, discovery)
        else:
            summary = run_streaming(spark, layout, definition, args.trigger, args.trigger_seconds)
    if args.catalog_database:
        summary["catalog"] = register_delta_table(spark, glue, args.catalog_database, layout)
    return summary


def start_continuous(spark, glue, args, entities, failed) -> int:
    """The continuous streams of every entity at once, then a wait on all of them.

    The run is meant never to end: a stream that fails, or stops, ends it non-zero, and EMR
    Serverless's retry policy (STREAMING mode) starts it again, each stream from its checkpoint.
    """
    started = 0
    for entity in entities:
        try:
            layout = Layout(entity, args.raw_root, args.lake_root)
            definition = latest_schema(glue, args.registry, f"{args.schema_prefix}.{entity}")
            query, _ = start_streaming(spark, layout, definition, "continuous", args.trigger_seconds)
            summary = {"entity": entity, "mode": "streaming", "trigger": "continuous", "trigger_seconds": args.trigger_seconds, "query": str(query.id)}
            if args.catalog_database:
                summary["catalog"] = register_delta_table(spark, glue, args.catalog_database, layout)
            print(json.dumps({"cdc_job_summary": summary}, default=str), flush=True)
            started += 1
        except Exception as error:
            failed.append(entity)
            print(json.dumps({"cdc_job_error": {"entity": entity, "error": f"{type(error).__name__}: {error}"}}), file=sys.stderr, flush=True)
    if started and not failed:
        try:
            spark.streams.awaitAnyTermination()
            ended = "a stream stopped"
        except Exception as error:
            ended = f"{type(error).__name__}: {error}"
        print(json.dumps({"cdc_job_error": {"entity": ",".join(entities), "error": f"the continuous run ended: {ended}"}}), file=sys.stderr, flush=True)
    return 1


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    spark = build_spark(f"cdc-{args.mode}-{args.entity.replace(',', '+')}")
    spark.sparkContext.setLogLevel("WARN")
    glue, failed = glue_client(), []
    entities = [e for e in args.entity.split(",") if e]
    try:
        if args.mode == "streaming" and args.trigger == "continuous":
            return start_continuous(spark, glue, args, entities, failed)
        for entity in entities:
            try:
                summary = run_entity(spark, glue, args, Layout(entity, args.raw_root, args.lake_root))
                print(json.dumps({"cdc_job_summary": summary}, default=str), flush=True)
            except Exception as error:  # one entity's failure must not stop the others
                failed.append(entity)
                print(json.dumps({"cdc_job_error": {"entity": entity, "error": f"{type(error).__name__}: {error}"}}), file=sys.stderr, flush=True)
    finally:
        spark.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
