import { Type } from 'avsc';
import { canonicalJson } from './canonical-json';
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
  return canonicalJson(JSON.parse(definition));
}
