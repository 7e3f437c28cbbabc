export { GlueAvroSerde, type DecodedRecord, type EncodedRecord } from './glue-avro-serde';
export {
  readGlueFrame,
  writeGlueHeader,
  GLUE_HEADER_LENGTH,
  GLUE_HEADER_VERSION,
  COMPRESSION_BYTE,
  type FrameCompression,
  type GlueFrame,
} from './glue-frame';
export { validateRecord, type ValidationResult } from './validate';
export { compileSchema, canonicalDefinition } from '../avro';
export { SchemaDefinitionError, SchemaValidationError, UndecodableMessageError, type FieldViolation } from './errors';
