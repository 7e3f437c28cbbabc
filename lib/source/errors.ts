import { CdcError } from '../errors';

/** The source API failed to answer usefully. `retriable` for 429, 5xx, timeouts, network errors. */
export class SourceError extends CdcError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { retriable: boolean; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super('SOURCE_UNAVAILABLE', message, { retriable: options.retriable, cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
