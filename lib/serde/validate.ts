import type { Type } from 'avsc';
import type { FieldViolation } from './errors';

const VALID = { valid: true } as const;
const STRICT = { noUndeclaredFields: true } as const;

export type ValidationResult =
  | { readonly valid: true }
  | { readonly valid: false; readonly violations: readonly FieldViolation[] };

/**
 * Checks a record against a compiled schema and reports every failing field with what was
 * expected and what arrived. Undeclared fields are violations too: dropping them would
 * publish a record that silently lost data.
 */
export function validateRecord(type: Type, record: unknown): ValidationResult {
  // Hot path: one check without hooks. Only a failing record pays for the detailed passes.
  if (type.isValid(record, STRICT)) return VALID;
  const violations: FieldViolation[] = [];
  // Pass 1: every wrong or missing field. avsc stops at a record that has an undeclared field,
  // which would hide the field errors inside it, so undeclared fields get a pass of their own.
  type.isValid(record, {
    errorHook: (path, value, failing) => {
      violations.push({ path: formatPath(path), expected: describeType(failing), received: describeValue(value) });
    },
  });
  undeclaredFields(type, record, [], violations);
  // The quick check said no: never answer "valid" even if no field could be singled out.
  if (violations.length === 0)
    violations.push({ path: '', expected: describeType(type), received: describeValue(record) });
  return { valid: false, violations };
}

function formatPath(path: readonly string[]): string {
  return path.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

interface Walkable {
  readonly typeName: string;
  readonly name?: string;
  readonly fields?: readonly { name: string; type: Type }[];
  readonly types?: readonly Type[];
  readonly itemsType?: Type;
  readonly valuesType?: Type;
}

/** Fields present in the value but not declared by the schema, at any depth. */
function undeclaredFields(type: Type, value: unknown, path: string[], out: FieldViolation[]): void {
  const t = type as unknown as Walkable;
  if (value === null || value === undefined) return;
  if (t.types) {
    const branch =
      t.types.find((b) => b.typeName !== 'null' && b.isValid(value)) ??
      t.types.find((b) => b.typeName === 'record' && typeof value === 'object');
    if (branch) undeclaredFields(branch, value, path, out);
  } else if (t.typeName === 'record' && typeof value === 'object' && !Array.isArray(value)) {
    const fields = new Map((t.fields ?? []).map((f) => [f.name, f.type]));
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const fieldType = fields.get(key);
      if (fieldType) undeclaredFields(fieldType, child, [...path, key], out);
      else if (child !== undefined)
        out.push({
          path: formatPath([...path, key]),
          expected: `no such field in ${t.name ?? 'the record'}`,
          received: describeValue(child),
        });
    }
  } else if (t.itemsType && Array.isArray(value)) {
    value.forEach((item, i) => undeclaredFields(t.itemsType as Type, item, [...path, String(i)], out));
  } else if (t.valuesType && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>))
      undeclaredFields(t.valuesType, child, [...path, key], out);
  }
}

function describeType(type: Type): string {
  const union = (type as unknown as Walkable).types;
  if (union) return union.map(describeType).join(' | ');
  if (type.typeName === 'logical:timestamp-millis') return 'ISO-8601 timestamp (at most ms precision)';
  if (type.typeName === 'logical:date') return 'date YYYY-MM-DD';
  const schema = type.schema() as unknown;
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema))
    return schema
      .map((s) =>
        typeof s === 'string' ? s : ((s as { name?: string; type?: string }).name ?? (s as { type?: string }).type),
      )
      .join(' | ');
  const s = schema as { type?: string; name?: string; logicalType?: string; symbols?: string[] };
  if (s.type === 'enum') return `one of ${(s.symbols ?? []).join(', ')}`;
  return s.name ?? s.type ?? 'value';
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  const json = JSON.stringify(value) ?? String(value);
  const shown = json.length > 60 ? `${json.slice(0, 57)}...` : json;
  return `${Array.isArray(value) ? 'array' : typeof value} ${shown}`;
}
