/**
 * The raw bucket's columns (DESIGN.md boundary 5), derived from a change schema: the `data`
 * record's fields, nested records flattened to `parent_child`, arrays and maps kept as JSON
 * values. Derived once per schema version, so every row of a version has the same columns and a
 * DELETE (data null) gets them all as null.
 */
export interface ColumnPlan {
  readonly columns: readonly Column[];
}

export interface Column {
  readonly name: string;
  /** Field names from the `data` record down to the value. */
  readonly path: readonly string[];
}

type AvroSchema =
  | string
  | AvroSchema[]
  | {
      type: AvroSchema;
      name?: string;
      namespace?: string;
      fields?: { name: string; type: AvroSchema }[];
      [k: string]: unknown;
    };

export class ColumnPlanError extends Error {}

export function columnPlan(definition: string): ColumnPlan {
  const root = JSON.parse(definition) as AvroSchema;
  const named = new Map<string, AvroSchema>();
  collectNamed(root, undefined, named);
  const data = recordOf(fieldType(root, 'data'), named);
  if (data === undefined)
    throw new ColumnPlanError(
      'the change schema has no "data" record (DESIGN.md: changes carry their state in "data")',
    );
  const columns: Column[] = [];
  walk(data, [], named, columns);
  const seen = new Set<string>(['id']);
  for (const c of columns) {
    if (c.name.startsWith('_'))
      throw new ColumnPlanError(
        `data field ${c.path.join('.')} would become column "${c.name}": names starting with "_" are reserved for metadata`,
      );
    if (c.name !== 'id' && seen.has(c.name))
      throw new ColumnPlanError(`two data fields flatten to the same column "${c.name}"`);
    seen.add(c.name);
  }
  return { columns: columns.filter((c) => c.name !== 'id') };
}

function fieldType(schema: AvroSchema, name: string): AvroSchema | undefined {
  if (typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  return schema.fields?.find((f) => f.name === name)?.type;
}

/** The record inside a type: itself, a named reference, or the non-null branch of ["null", record]. */
function recordOf(
  schema: AvroSchema | undefined,
  named: Map<string, AvroSchema>,
): { fields: { name: string; type: AvroSchema }[] } | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema === 'string') return named.has(schema) ? recordOf(named.get(schema), named) : undefined;
  if (Array.isArray(schema)) {
    const branches = schema.filter((s) => s !== 'null');
    return branches.length === 1 ? recordOf(branches[0], named) : undefined;
  }
  if (schema.type === 'record' && Array.isArray(schema.fields)) return { fields: schema.fields };
  if (typeof schema.type === 'object' || (typeof schema.type === 'string' && named.has(schema.type)))
    return recordOf(schema.type, named);
  return undefined;
}

function walk(
  record: { fields: { name: string; type: AvroSchema }[] },
  path: string[],
  named: Map<string, AvroSchema>,
  out: Column[],
): void {
  for (const field of record.fields) {
    const nested = recordOf(field.type, named);
    const fieldPath = [...path, field.name];
    if (nested !== undefined) walk(nested, fieldPath, named, out);
    else out.push({ name: fieldPath.join('_'), path: fieldPath });
  }
}

function collectNamed(schema: AvroSchema, namespace: string | undefined, named: Map<string, AvroSchema>): void {
  if (Array.isArray(schema)) {
    for (const s of schema) collectNamed(s, namespace, named);
    return;
  }
  if (typeof schema !== 'object') return;
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  if (typeof schema.name === 'string' && ['record', 'enum', 'fixed', 'error'].includes(String(schema.type))) {
    named.set(schema.name, schema);
    if (ns !== undefined && !schema.name.includes('.')) named.set(`${ns}.${schema.name}`, schema);
  }
  if (typeof schema.type === 'object') collectNamed(schema.type, ns, named);
  for (const f of schema.fields ?? []) collectNamed(f.type, ns, named);
  for (const key of ['items', 'values'] as const)
    if (schema[key] !== undefined) collectNamed(schema[key] as AvroSchema, ns, named);
}
