import type { SchemaBreak } from './entities/model';
import type { JsonObject, JsonValue, SchemaBreakDetail } from './types';

/**
 * Returns a copy of `data` that breaks its entity's schema in the given way: a
 * required field removed, a field of the wrong type, or an enum symbol the schema
 * does not know. The path is reported as `lines[0].quantity`, like a validator would.
 */
export function breakSchema(
  data: JsonObject,
  schemaBreak: SchemaBreak,
): { data: JsonObject; detail: SchemaBreakDetail } {
  const broken = structuredClone(data);
  const segments = schemaBreak.path.split('.');
  const field = segments.pop();
  const container = segments.reduce<JsonValue | undefined>((node, segment) => childOf(node, segment), broken);
  if (field === undefined || container === undefined || container === null || typeof container !== 'object') {
    throw new Error(`schema break path ${schemaBreak.path} does not exist in the data`);
  }
  if (Array.isArray(container)) throw new Error(`schema break path ${schemaBreak.path} must end in a field`);
  if (schemaBreak.kind === 'MISSING_FIELD') delete container[field];
  else container[field] = schemaBreak.value ?? null;
  return { data: broken, detail: { kind: schemaBreak.kind, path: displayPath(schemaBreak.path) } };
}

function childOf(node: JsonValue | undefined, segment: string): JsonValue | undefined {
  if (Array.isArray(node)) return node[Number(segment)];
  if (node !== null && typeof node === 'object') return node[segment];
  return undefined;
}

function displayPath(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}
