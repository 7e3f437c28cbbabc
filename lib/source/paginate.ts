import { SourceError } from './errors';
import type { Source, SourcePage } from './http-source';

export interface PaginationLimits {
  /** An API that keeps answering empty pages with a next token is looping. */
  readonly maxConsecutiveEmptyPages: number;
  readonly maxPages: number;
  /** Stop before the next request when this says so (e.g. the Lambda's time budget). */
  readonly shouldStop?: () => boolean;
}

/**
 * All pages of one query, in order, with loop guards: a repeated page token or too many empty
 * pages that still point to a next page end the walk with an error instead of spinning forever.
 */
export async function* pagesOf(
  source: Source,
  entity: string,
  since: string,
  limits: PaginationLimits,
): AsyncGenerator<SourcePage> {
  const seen = new Set<string>();
  let token: string | null = null;
  let empty = 0;
  for (let pages = 0; pages < limits.maxPages; pages += 1) {
    if (limits.shouldStop?.()) return;
    const page: SourcePage = await source.fetchPage(entity, since, token);
    yield page;
    if (page.nextPageToken === null) return;
    if (seen.has(page.nextPageToken))
      throw new SourceError(
        `${entity}: the source returned page token ${JSON.stringify(page.nextPageToken.slice(0, 40))} twice; stopping instead of looping`,
        { retriable: false },
      );
    seen.add(page.nextPageToken);
    empty = page.entries.length === 0 ? empty + 1 : 0;
    if (empty >= limits.maxConsecutiveEmptyPages)
      throw new SourceError(
        `${entity}: ${empty} empty pages in a row that still point to a next page; stopping instead of looping`,
        { retriable: false },
      );
    token = page.nextPageToken;
  }
}

/**
 * Reads one page ahead: while the caller hands off page n, page n+1 is already being fetched,
 * so the source's latency overlaps publishing and checkpointing. A page fetched ahead that the
 * caller never takes (time budget, a lost checkpoint race) is simply dropped: nothing of it
 * was handed off, so the checkpoint does not cover it.
 */
export async function* readAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done === true) return;
      next = pages.next();
      // A failure of the page ahead is raised when the caller asks for it, not as an unhandled rejection.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    // Not awaited: a page still in flight (retrying, say) must not hold up a run that is stopping.
    pages.return(undefined).catch(() => undefined);
  }
}
