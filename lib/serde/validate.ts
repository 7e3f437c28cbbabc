import type { Type } from 'avsc';
import type { FieldViolation } from './errors';

export type ValidationResult = { readonly valid: true } | { readonly valid: false; readonly violations: readonly FieldViolation[] };

/**
 * Checks a record against a compiled schema and reports every failing field with what was
 * expected and what arrived. Undeclared fields are violations too: dropping them would
 * publish a record that silently lost data.
 */
export function validateRecord(type: Type, record: unknown): ValidationResult {
  const violations: FieldViolation[] = [];
  // Pass 1: every wrong or missing field. avsc stops at a record that has an undeclared field,
  // which would hide the field errors inside it, so undeclared fields get a pass of their own.
  type.isValid(record, {
    errorHook: (path, value, failing) => {
      violations.push({ path: formatPath(path), expected: describeType(failing), received: describeValue(value) });
    },
  });
  type.isValid(record, {
    noUndeclaredFields: true,
    errorHook: (path, value, failing) => {
      if (failing.typeName !== 'record' || value === null || typeof value !== 'object') return;
      const declared = new Set((failing as unknown as { fields: { name: string }[] }).fields.map((f) => f.name));
      for (const [key, extra] of Object.entries(value as Record<string, unknown>)) {
        if (!declared.has(key) && extra !== undefined) {
          violations.push({ path: formatPath([...path, key]), expected: `no such field in ${failing.name ?? 'the record'}`, received: describeValue(extra) });
        }
      }
    },
  });
  return violations.length === 0 ? { valid: true } : { valid: false, violations };
}

function formatPath(path: readonly string[]): string {
  return path.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

function describeType(type: Type): string {
  const schema = type.schema() as unknown;
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return schema.map((s) => (typeof s === 'string' ? s : (s as { name?: string; type?: string }).name ?? (s as { type?: string }).type)).join(' | ');
  const s = schema as { type?: string; name?: string; logicalType?: string; symbols?: string[] };
  if (s.logicalType === 'timestamp-millis') return 'ISO-8601 timestamp (at most ms precision)';
  if (s.logicalType === 'date') return 'date YYYY-MM-DD';
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
