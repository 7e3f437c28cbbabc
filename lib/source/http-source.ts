import { type RetryPolicy, withRetry } from '../retry';
import { echoFreeExcerpt } from './echo-free';
import { SourceError } from './errors';
import type { ResponseMapping } from './mapping';
import type { SourceEntry } from './normalize';
import { pageOf } from './page';

export interface SourcePage {
  readonly entries: readonly SourceEntry[];
  readonly nextPageToken: string | null;
}

/** The poller's port to the source system. */
export interface Source {
  fetchPage(entity: string, since: string, pageToken: string | null): Promise<SourcePage>;
}

export interface HttpSourceOptions {
  readonly baseUrl: URL;
  readonly mappingOf: (entity: string) => ResponseMapping;
  readonly token: () => Promise<string | undefined>;
  readonly pageLimit: number;
  readonly requestTimeoutMs: number;
  /** Input size limit: a larger response is refused, not buffered. */
  readonly maxResponseBytes: number;
  readonly retry: RetryPolicy;
  readonly now?: () => number;
  /** Told of every failed request, retried or not (the poller counts them by kind in its metrics). */
  readonly onError?: (error: SourceError) => void;
}

/** DESIGN.md's source contract over HTTP, or another API through its response mapping. */
export class HttpSource implements Source {
  constructor(private readonly options: HttpSourceOptions) {}

  fetchPage(entity: string, since: string, pageToken: string | null): Promise<SourcePage> {
    return withRetry(
      () =>
        this.request(entity, since, pageToken).catch((error: unknown) => {
          if (error instanceof SourceError) this.options.onError?.(error);
          throw error;
        }),
      this.options.retry,
    );
  }

  private async request(entity: string, since: string, pageToken: string | null): Promise<SourcePage> {
    const mapping = this.options.mappingOf(entity);
    const url = new URL(mapping.path, this.options.baseUrl);
    url.searchParams.set(mapping.entityParam, mapping.entityValue ?? entity);
    url.searchParams.set(mapping.sinceParam, since);
    if (mapping.limitParam) url.searchParams.set(mapping.limitParam, String(this.options.pageLimit));
    if (pageToken !== null && mapping.paging.style === 'token')
      url.searchParams.set(mapping.paging.tokenParam, pageToken);
    const token = await this.options.token();
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new SourceError(
        `GET ${url.pathname} ${timedOut ? `timed out after ${this.options.requestTimeoutMs} ms` : `failed: ${(error as Error).message}`}`,
        { retriable: true, cause: error, kind: timedOut ? 'timeout' : 'network' },
      );
    }
    const body = await readLimited(response, this.options.maxResponseBytes, url.pathname);
    if (response.status !== 200) throw statusError(response, echoFreeExcerpt(body, { url, token }), url.pathname);
    return this.page(body, mapping, url.pathname, () => echoFreeExcerpt(body, { url, token }, 40));
  }

  private page(body: string, mapping: ResponseMapping, path: string, head: () => string): SourcePage {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      // e.g. a proxy's HTML error page served with status 200: transient more often than not.
      throw new SourceError(
        `GET ${path} answered 200 with a body that is not JSON (starts with ${JSON.stringify(head())})`,
        { retriable: true },
      );
    }
    return pageOf(json, mapping, path, this.options.now?.() ?? Date.now());
  }
}

/** `excerpt`: the body's head, bounded and without what echoes the request. */
function statusError(response: Response, excerpt: string, path: string): SourceError {
  const status = response.status;
  if (status === 429)
    return new SourceError(`GET ${path} answered 429 (rate limited)`, {
      retriable: true,
      status,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    });
  if (status >= 500 || status === 408)
    return new SourceError(`GET ${path} answered ${status}: ${excerpt}`, { retriable: true, status });
  if (status === 401 || status === 403)
    return new SourceError(
      `GET ${path} answered ${status}: the source refused the credentials (check the token: CDC_SOURCE_TOKEN / the SSM parameter)`,
      { retriable: false, status },
    );
  return new SourceError(`GET ${path} answered ${status}: ${excerpt}`, { retriable: false, status });
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

async function readLimited(response: Response, maxBytes: number, path: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new SourceError(`GET ${path}: response of ${declared} bytes is over the ${maxBytes}-byte limit`, {
      retriable: false,
      status: response.status,
    });
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new SourceError(`GET ${path}: response is over the ${maxBytes}-byte limit`, {
        retriable: false,
        status: response.status,
      });
    }
    chunks.push(value);
  }
  try {
    // Fatal: bytes that are not UTF-8 are refused, never replaced with U+FFFD (that would mangle data silently).
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new SourceError(
      `GET ${path}: the response body is not valid UTF-8; refusing it rather than altering its text`,
      { retriable: false, status: response.status },
    );
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
