import type { ChangeKey, StoredVersion } from './types';

export function compareKeys(a: ChangeKey, b: ChangeKey): number {
  if (a.updatedAtMs !== b.updatedAtMs) return a.updatedAtMs - b.updatedAtMs;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

export interface PageQuery {
  sinceMs: number;
  /** The last key the client was given; the page starts strictly after it. */
  after: ChangeKey | null;
  limit: number;
}

/**
 * The current state of one entity, as a CDC API sees it: the latest version of every
 * id (DELETEs stay as tombstones), kept sorted by `(updatedAt, id)` so a page is a
 * binary search and a slice.
 */
export class ChangeStore {
  private readonly latestById = new Map<string, StoredVersion>();
  private readonly ordered: StoredVersion[] = [];

  get size(): number {
    return this.ordered.length;
  }

  get(id: string): StoredVersion | undefined {
    return this.latestById.get(id);
  }

  /** Replaces the record's previous version, which moves it to its new place in the order. */
  put(version: StoredVersion): void {
    const previous = this.latestById.get(version.id);
    if (previous !== undefined) this.ordered.splice(this.indexAfter(previous, true), 1);
    this.ordered.splice(this.indexAfter(version, false), 0, version);
    this.latestById.set(version.id, version);
  }

  page(query: PageQuery): { versions: StoredVersion[]; hasMore: boolean } {
    const start = this.startOf(query.sinceMs, query.after);
    const versions = this.ordered.slice(start, start + query.limit);
    return { versions, hasMore: start + query.limit < this.ordered.length };
  }

  /** Every version from `sinceMs` up to and including `upTo`: what a client paging from `sinceMs` has been given. */
  servedUpTo(sinceMs: number, upTo: ChangeKey): StoredVersion[] {
    return this.ordered.slice(this.startOf(sinceMs, null), this.indexAfter(upTo, false));
  }

  all(): readonly StoredVersion[] {
    return this.ordered;
  }

  private startOf(sinceMs: number, after: ChangeKey | null): number {
    // '' sorts before every id, so this is the first version at or after sinceMs.
    const first = this.indexAfter({ updatedAtMs: sinceMs, id: '' }, true);
    return after === null ? first : Math.max(first, this.indexAfter(after, false));
  }

  /** First index whose key is > `key` (or >= when `inclusive`). */
  private indexAfter(key: ChangeKey, inclusive: boolean): number {
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareKeys(this.ordered[middle] as StoredVersion, key);
      if (order < 0 || (order === 0 && !inclusive)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
