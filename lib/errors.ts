/**
 * Every error the pipeline raises on purpose carries a machine-readable reason (the same
 * codes the fallback table stores) and whether trying again can help.
 */
export type ReasonCode =
  | 'CONFIG_INVALID'
  | 'KAFKA_UNAVAILABLE'
  | 'KAFKA_REFUSED'
  | 'SCHEMA_VALIDATION'
  | 'SCHEMA_NOT_FOUND'
  | 'SCHEMA_INVALID'
  | 'SCHEMA_INCOMPATIBLE'
  | 'REGISTRY_UNAVAILABLE'
  | 'UNDECODABLE'
  | 'SOURCE_UNAVAILABLE'
  | 'CHECKPOINT_CONFLICT'
  | 'CHECKPOINT_UNAVAILABLE'
  | 'MALFORMED_EVENT'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_REQUEST';

export class CdcError extends Error {
  readonly reason: ReasonCode;
  readonly retriable: boolean;

  constructor(reason: ReasonCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.reason = reason;
    this.retriable = options.retriable ?? false;
  }
}

/** A setting is missing or malformed: raised at cold start, names the setting. */
export class ConfigError extends CdcError {
  readonly setting: string;

  constructor(setting: string, problem: string) {
    super('CONFIG_INVALID', `configuration ${setting}: ${problem}`);
    this.setting = setting;
  }
}

/** The invocation's event is not what the function's trigger sends. */
export class BadRequestError extends CdcError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}
