import { CdcError } from '../errors';

/** The schema or version does not exist in the registry. Not retriable: it must be registered. */
export class SchemaNotFoundError extends CdcError {
  constructor(message: string) {
    super('SCHEMA_NOT_FOUND', message);
  }
}

/** Glue is throttling or unreachable: retriable. */
export class RegistryUnavailableError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super('REGISTRY_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/** A new definition breaks the schema's compatibility mode (our check, or Glue's FAILURE). */
export class SchemaIncompatibleError extends CdcError {
  constructor(message: string) {
    super('SCHEMA_INCOMPATIBLE', message);
  }
}
