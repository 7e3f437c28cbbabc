"""Spark types from an Avro change schema, flattened exactly as the consumer flattens rows
(DESIGN.md boundary 5; lib/raw/columns.ts is the TypeScript twin): the `data` record's fields,
nested records as `parent_child`, arrays and maps kept whole, metadata columns prefixed `_`.
"""

import json
from typing import Dict, List, Tuple

from pyspark.sql.types import (
    ArrayType, BooleanType, DataType, DateType, DecimalType, DoubleType, FloatType, IntegerType,
    LongType, MapType, StringType, StructField, StructType, TimestampType,
)

# Provenance of each raw row; only `_updated_at` and `_event_id` are kept in the Delta tables.
METADATA = [
    ("_op", StringType()),
    ("_updated_at", TimestampType()),
    ("_event_id", StringType()),
    ("_schema_version_id", StringType()),
    ("_kafka_topic", StringType()),
    ("_kafka_partition", IntegerType()),
    ("_kafka_offset", LongType()),
]

PRIMITIVES = {
    "string": StringType(), "bytes": StringType(), "int": IntegerType(), "long": LongType(),
    "float": FloatType(), "double": DoubleType(), "boolean": BooleanType(),
}


class AvroColumnsError(ValueError):
    pass


def _collect_named(schema, namespace, named: Dict[str, dict]) -> None:
    if isinstance(schema, list):
        for s in schema:
            _collect_named(s, namespace, named)
        return
    if not isinstance(schema, dict):
        return
    ns = schema.get("namespace", namespace)
    if isinstance(schema.get("name"), str) and schema.get("type") in ("record", "enum", "fixed", "error"):
        named[schema["name"]] = schema
        if ns and "." not in schema["name"]:
            named[f"{ns}.{schema['name']}"] = schema
    if isinstance(schema.get("type"), (dict, list)):
        _collect_named(schema["type"], ns, named)
    for field in schema.get("fields", []) or []:
        _collect_named(field["type"], ns, named)
    for key in ("items", "values"):
        if key in schema:
            _collect_named(schema[key], ns, named)


def _resolve(schema, named):
    if isinstance(schema, str) and schema in named:
        return named[schema]
    if isinstance(schema, dict) and isinstance(schema.get("type"), (dict, list)) and "fields" not in schema and "logicalType" not in schema:
        return _resolve(schema["type"], named)
    if isinstance(schema, dict) and isinstance(schema.get("type"), str) and schema["type"] in named and "fields" not in schema:
        return named[schema["type"]]
    return schema


def _record_of(schema, named):
    """The record inside a type: itself, a reference, or the non-null branch of ["null", record]."""
    schema = _resolve(schema, named)
    if isinstance(schema, list):
        branches = [s for s in schema if s != "null"]
        return _record_of(branches[0], named) if len(branches) == 1 else None
    if isinstance(schema, dict) and schema.get("type") in ("record", "error"):
        return schema
    return None


def spark_type(schema, named) -> DataType:
    schema = _resolve(schema, named)
    if isinstance(schema, list):
        branches = [s for s in schema if s != "null"]
        return spark_type(branches[0], named) if len(branches) == 1 else StringType()
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return PRIMITIVES[schema]
        raise AvroColumnsError(f"unknown Avro type {schema!r}")
    logical = schema.get("logicalType")
    if logical in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros"):
        return TimestampType()
    if logical == "date":
        return DateType()
    if logical == "decimal":
        return DecimalType(int(schema.get("precision", 38)), int(schema.get("scale", 0)))
    kind = schema.get("type")
    if kind in ("record", "error"):
        return StructType([StructField(f["name"], spark_type(f["type"], named), True) for f in schema["fields"]])
    if kind == "array":
        return ArrayType(spark_type(schema["items"], named), True)
    if kind == "map":
        return MapType(StringType(), spark_type(schema["values"], named), True)
    if kind in ("enum", "fixed"):
        return StringType()
    if isinstance(kind, str):
        return spark_type(kind, named)
    raise AvroColumnsError(f"unsupported Avro type {schema!r}")


def data_columns(definition: str) -> List[Tuple[str, DataType]]:
    """The flattened `data` columns, in schema order, without `id` (a top-level column of its own)."""
    root = json.loads(definition)
    named: Dict[str, dict] = {}
    _collect_named(root, None, named)
    data_field = next((f for f in root.get("fields", []) if f["name"] == "data"), None)
    data = _record_of(data_field["type"], named) if data_field else None
    if data is None:
        raise AvroColumnsError('the change schema has no "data" record')
    columns: List[Tuple[str, DataType]] = []

    def walk(record, path):
        for field in record["fields"]:
            nested = _record_of(field["type"], named)
            if nested is not None:
                walk(nested, path + [field["name"]])
            else:
                columns.append(("_".join(path + [field["name"]]), spark_type(field["type"], named)))

    walk(data, [])
    seen = set()
    for name, _ in columns:
        if name.startswith("_"):
            raise AvroColumnsError(f'data column "{name}": names starting with "_" are reserved for metadata')
        if name in seen and name != "id":
            raise AvroColumnsError(f'two data fields flatten to the same column "{name}"')
        seen.add(name)
    return [(n, t) for n, t in columns if n != "id"]


def raw_schema(definition: str) -> StructType:
    """The schema of the raw JSON lines (metadata, id, data columns), for an explicit-schema read."""
    fields = [StructField(n, t, True) for n, t in METADATA]
    fields.append(StructField("id", StringType(), True))
    fields += [StructField(n, t, True) for n, t in data_columns(definition)]
    return StructType(fields)


def table_columns(definition: str) -> List[str]:
    """The Delta table's columns: id, the data columns, and the change's position (updatedAt, eventId)."""
    return ["id"] + [n for n, _ in data_columns(definition)] + ["_updated_at", "_event_id"]
