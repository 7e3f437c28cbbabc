import { CdcError } from '../errors';

/**
 * What went wrong with a source request, as the poller's metrics count it: an HTTP status class
 * (429 on its own), no answer in time, no connection, or an answer that is not a page.
 */
export type SourceErrorKind = '4xx' | '429' | '5xx' | 'timeout' | 'network' | 'invalid';

/** The source API failed to answer usefully. `retriable` for 429, 5xx, timeouts, network errors. */
export class SourceError extends CdcError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly kind: SourceErrorKind;

  constructor(
    message: string,
    options: { retriable: boolean; status?: number; retryAfterMs?: number; cause?: unknown; kind?: SourceErrorKind },
  ) {
    super('SOURCE_UNAVAILABLE', message, { retriable: options.retriable, cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.kind = options.kind ?? kindOfStatus(options.status);
  }
}

function kindOfStatus(status: number | undefined): SourceErrorKind {
  if (status === undefined) return 'invalid';
  if (status === 429) return '429';
  return status >= 500 || status === 408 ? '5xx' : '4xx';
}
