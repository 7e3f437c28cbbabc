import { CdcError } from '../errors';

/** A schema file or registry version that is not valid Avro. Fixing it needs a person. */
export class SchemaDefinitionError extends CdcError {
  constructor(message: string) {
    super('SCHEMA_INVALID', message);
  }
}
