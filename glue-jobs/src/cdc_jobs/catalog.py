"""The entity's Delta table in the Glue Data Catalog, so that Athena (and Spark with the Glue
catalog) can query it by name.

What Athena needs (Athena user guide, "Query Linux Foundation Delta Lake tables"): a Glue table
with the Delta table's location and `table_type = DELTA`; it reads the schema from the Delta log.
Engines that go through the Hive metastore API (Spark on EMR) need `spark.sql.sources.provider =
delta` and the location as the SerDe parameter `path`. The columns are written too, mapped to
Hive types: Lake Formation, views, and row and column filters need the catalog's schema to equal
the Delta log's ("Synchronize Delta Lake metadata"). Glue table names are lower case.

The entry is rewritten only when it differs (each UpdateTable keeps a table version in Glue, and a
10-minute schedule would pile them up); parameters others added to it are kept.
"""

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql.types import StructType

from .layout import Layout

DELTA_PARAMETERS = {"table_type": "DELTA", "spark.sql.sources.provider": "delta", "EXTERNAL": "TRUE"}


def hive_columns(schema: StructType) -> list:
    # PySpark's type strings are Hive's for every type avro_columns produces: bigint, double,
    # timestamp, date, decimal(p,s), array<struct<sku:string,…>>, map<string,…>.
    return [{"Name": field.name, "Type": field.dataType.simpleString()} for field in schema.fields]


def table_input(entity: str, location: str, schema: StructType) -> dict:
    return {
        "Name": entity.lower(),
        "Description": f"CDC table of {entity}: rows with _deleted = true are tombstones of deleted ids; "
                       "readers filter NOT coalesce(_deleted, false)",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": dict(DELTA_PARAMETERS),
        # Athena wants the key present even for an unpartitioned table (Glue Table API).
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": hive_columns(schema),
            "Location": location,
            "SerdeInfo": {"Parameters": {"path": location}},
        },
    }


def is_current(existing: dict, wanted: dict) -> bool:
    """Whether the entry already says all that this job would write (others may have added more)."""
    storage, location = existing.get("StorageDescriptor", {}), wanted["StorageDescriptor"]["Location"]
    columns = [{"Name": c["Name"], "Type": c["Type"]} for c in storage.get("Columns", [])]
    parameters = existing.get("Parameters", {})
    return (existing.get("TableType") == wanted["TableType"]
            and all(parameters.get(key) == value for key, value in wanted["Parameters"].items())
            and storage.get("Location") == location
            and storage.get("SerdeInfo", {}).get("Parameters", {}).get("path") == location
            and columns == wanted["StorageDescriptor"]["Columns"])


def register_table(glue, database: str, entity: str, location: str, schema: StructType) -> str:
    """Creates or updates the entity's catalog entry; returns "created", "updated" or "unchanged"."""
    wanted = table_input(entity, location, schema)
    try:
        existing = glue.get_table(DatabaseName=database, Name=wanted["Name"])["Table"]
    except glue.exceptions.EntityNotFoundException:
        try:
            glue.create_table(DatabaseName=database, TableInput=wanted)
            return "created"
        except glue.exceptions.AlreadyExistsException:  # another entity's job, or a second run, got there first
            existing = glue.get_table(DatabaseName=database, Name=wanted["Name"])["Table"]
    if is_current(existing, wanted):
        return "unchanged"
    parameters = {**existing.get("Parameters", {}), **wanted["Parameters"]}
    glue.update_table(DatabaseName=database, TableInput={**wanted, "Parameters": parameters})
    return "updated"


def register_delta_table(spark: SparkSession, glue, database: str, layout: Layout) -> str:
    """Registers the entity's table with the schema its Delta log has now ("absent" before its first MERGE)."""
    if not DeltaTable.isDeltaTable(spark, layout.table):
        return "absent"
    schema = DeltaTable.forPath(spark, layout.table).toDF().schema
    return register_table(glue, database, layout.entity, layout.table, schema)
