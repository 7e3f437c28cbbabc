import { CdcError } from '../errors';

// Defined below serde, in lib/avro, since the registry compiles schemas too.
export { SchemaDefinitionError } from '../avro/errors';

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

const MESSAGE_VIOLATIONS = 20;

/** A record that does not fit its entity's schema; carries every failing field. */
export class SchemaValidationError extends CdcError {
  readonly violations: readonly FieldViolation[];

  constructor(schemaName: string, violations: readonly FieldViolation[]) {
    // A record with thousands of bad fields must not make a message of megabytes: the first few
    // name the problem; the violations list (bounded where it is stored) has the rest.
    const shown = violations
      .slice(0, MESSAGE_VIOLATIONS)
      .map((v) => `${v.path || '(record)'}: expected ${v.expected}, got ${v.received}`)
      .join('; ');
    const more = violations.length > MESSAGE_VIOLATIONS ? `; and ${violations.length - MESSAGE_VIOLATIONS} more` : '';
    super('SCHEMA_VALIDATION', `record does not match schema ${schemaName}: ${shown}${more}`);
    this.violations = violations;
  }
}
