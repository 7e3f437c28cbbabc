import { CdcError } from '../errors';

export interface TtlCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly now?: () => number;
  /** Called once when a load fails and stale entries start being served, not once per key or event. */
  readonly onStaleServe?: (error: unknown) => void;
  /** Called once when loads succeed again after stale serving. */
  readonly onRecovered?: () => void;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A bounded LRU cache with a TTL, where concurrent misses for one key share one load, and an
 * expired entry keeps serving when a retriable load fails (stale-while-error).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly inFlight = new Map<K, Promise<V>>();
  private servingStale = false;
  private newest: K | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The fresh value of a key without waiting, or undefined when `get` would have to load it. */
  peek(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.now()) return undefined;
    this.touch(key, entry);
    return entry.value;
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const fresh = this.peek(key);
    if (fresh !== undefined) return fresh;
    const entry = this.entries.get(key);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const loading = this.load(key, load, entry).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, loading);
    return loading;
  }

  private async load(key: K, load: () => Promise<V>, stale: Entry<V> | undefined): Promise<V> {
    try {
      const value = await load();
      this.set(key, value);
      if (this.servingStale) {
        this.servingStale = false;
        this.options.onRecovered?.();
      }
      return value;
    } catch (error) {
      if (stale === undefined || !(error instanceof CdcError && error.retriable)) throw error;
      if (!this.servingStale) {
        this.servingStale = true;
        this.options.onStaleServe?.(error);
      }
      return stale.value;
    }
  }

  private set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    this.newest = key;
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  private touch(key: K, entry: Entry<V>): void {
    // Already the most recently used (the usual hit: one schema, event after event): no reorder.
    if (this.newest === key) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.newest = key;
  }
}
