import { CdcError } from '../errors';

/** A schema file or registry version that is not valid Avro. Fixing it needs a person. */
export class SchemaDefinitionError extends CdcError {
  constructor(message: string) {
    super('SCHEMA_INVALID', message);
  }
}

/** Bytes that are not a readable Glue Schema Registry message. Trying again cannot help. */
export class UndecodableMessageError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super('UNDECODABLE', message, { cause });
  }
}

export interface FieldViolation {
  /** Dotted path into the record, array indexes in brackets: `data.lines[2].quantity`. */
  readonly path: string;
  readonly expected: string;
  readonly received: string;
}

/** A record that does not fit its entity's schema; carries every failing field. */
export class SchemaValidationError extends CdcError {
  readonly violations: readonly FieldViolation[];

  constructor(schemaName: string, violations: readonly FieldViolation[]) {
    super('SCHEMA_VALIDATION', `record does not match schema ${schemaName}: ${violations.map((v) => `${v.path || '(record)'}: expected ${v.expected}, got ${v.received}`).join('; ')}`);
    this.violations = violations;
  }
}
