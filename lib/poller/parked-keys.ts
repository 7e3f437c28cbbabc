import { type FallbackStore, type OpenStatus, partitionKey } from '../fallback';

/** The poller's question about a key: has it events parked with this status? */
export interface KeySet {
  has(id: string): boolean;
  add(id: string): void;
}

/** Above this many RETRIABLE (or AMBIGUOUS) items of an entity, a run asks per key instead of listing them. */
export const DEFAULT_MAX_LISTED_PARKED_ITEMS = 5000;

/**
 * Which of an entity's keys have events parked RETRIABLE or AMBIGUOUS, for one run. With few
 * parked, they are listed once from the keys-only per-entity index (one or two queries). With
 * a backlog (a long Kafka outage parks millions), listing them would eat the run's budget
 * before its first page, so the run asks the table about each key of a page instead, once per
 * key per run, with consistent reads. What the run parks itself is added as it goes.
 */
export class ParkedKeys {
  readonly retriable: KeySet;
  readonly ambiguous: KeySet;
  private readonly keys: Record<OpenStatus, Set<string>>;
  /** Ids already asked about (per-key mode only). */
  private readonly asked = new Set<string>();
  private readonly perKey: boolean;

  private constructor(
    private readonly store: FallbackStore,
    private readonly entity: string,
    listed: Record<OpenStatus, ReadonlySet<string>> | undefined,
  ) {
    this.keys = { RETRIABLE: new Set(listed?.RETRIABLE), AMBIGUOUS: new Set(listed?.AMBIGUOUS) };
    this.perKey = listed === undefined;
    this.retriable = this.view('RETRIABLE');
    this.ambiguous = this.view('AMBIGUOUS');
  }

  static async read(
    store: FallbackStore,
    entity: string,
    maxListed = DEFAULT_MAX_LISTED_PARKED_ITEMS,
  ): Promise<ParkedKeys> {
    return new ParkedKeys(store, entity, await store.openKeys(entity, maxListed));
  }

  /** True when the backlog was too large to list: each page's keys are asked about. */
  get askingPerKey(): boolean {
    return this.perKey;
  }

  /** Before a page is planned: asks about the page's keys not asked about yet (per-key mode only). */
  async prepare(ids: Iterable<string>): Promise<void> {
    if (!this.perKey) return;
    const fresh = [...new Set(ids)].filter((id) => !this.asked.has(id));
    if (fresh.length === 0) return;
    const found = await this.store.openStatusesOf(this.entity, fresh);
    fresh.forEach((id) => this.asked.add(id));
    for (const [id, statuses] of found)
      for (const status of statuses) this.keys[status].add(partitionKey(this.entity, id));
  }

  private view(status: OpenStatus): KeySet {
    const keys = this.keys[status];
    return {
      // Asked several times per event; with nothing parked (the usual run) the key is not built.
      has: (id) => keys.size > 0 && keys.has(partitionKey(this.entity, id)),
      add: (id) => void keys.add(partitionKey(this.entity, id)),
    };
  }
}
