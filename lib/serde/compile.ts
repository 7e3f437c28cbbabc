import { Type } from 'avsc';
import { SchemaDefinitionError } from './errors';
import { LOGICAL_TYPES } from './logical-types';

/**
 * Compiles an Avro schema definition once (the expensive step); the Type is then reused for
 * every event of that schema version.
 */
export function compileSchema(definition: string): Type {
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (error) {
    throw new SchemaDefinitionError(`schema definition is not JSON: ${(error as Error).message}`);
  }
  try {
    // 'auto': ["null", T] unions take plain values (null or a T), as the source sends them.
    return Type.forSchema(parsed as never, { logicalTypes: LOGICAL_TYPES, wrapUnions: 'auto' });
  } catch (error) {
    throw new SchemaDefinitionError(`schema definition is not valid Avro: ${(error as Error).message}`);
  }
}

/** Two definitions that differ only in whitespace or key order are the same schema. */
export function canonicalDefinition(definition: string): string {
  return JSON.stringify(sortKeys(JSON.parse(definition)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}
