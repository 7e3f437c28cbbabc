export { compileSchema, canonicalDefinition } from './compile';
export { canonicalJson } from './canonical-json';
export { LOGICAL_TYPES, IsoDate, IsoTimestampMillis } from './logical-types';
export { SchemaDefinitionError } from './errors';
