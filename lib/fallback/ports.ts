/**
 * The fallback table's ports, one per role. Each caller depends on the role it plays; the
 * DynamoDB adapter and the in-memory fake implement all of them (`FallbackTable`), with the same
 * conditional semantics, so the stream trigger, the sweeps, the poller and the operator's
 * commands can race safely.
 */
import type { FallbackStatus, OpenStatus, ParkedEvent, ParkedItem, ParkedItemHeader, Reschedule } from './parked-item';

/** Plain attributes a status change sets beside the status (e.g. `staleBecause`, `revalidatedAt`). */
export type Note = Readonly<Record<string, string>>;

/** Per open status, the partition keys (`partitionKey(entity, id)`) with events parked so. */
export type OpenKeys = Readonly<Record<OpenStatus, ReadonlySet<string>>>;

export interface SupersedeOutcome {
  readonly superseded: number;
  readonly blocked: boolean;
}

/** Parking: the poller and the consumer. */
export interface FallbackStore {
  /**
   * Parks each event unless its item is already in the table: an item that is there (claimed by
   * the retry function, with attempts and history, or SUPERSEDED or STALE) keeps its state. The
   * same event twice in one call is one item.
   */
  park(events: readonly ParkedEvent[]): Promise<void>;
  /**
   * The entity's keys with events parked RETRIABLE or AMBIGUOUS, from the per-entity keys-only
   * index; undefined when more than `limit` items are parked so (then ask per key instead).
   */
  openKeys(entity: string, limit: number): Promise<OpenKeys | undefined>;
  /** The open statuses each of these keys has events parked with (a consistent read per key). */
  openStatusesOf(entity: string, ids: readonly string[]): Promise<Map<string, OpenStatus[]>>;
  /**
   * Before a newer valid change of a key is published: the key's AMBIGUOUS events older than
   * `updatedAt` become SUPERSEDED (supersede.ts). `blocked` is true when an older event of the
   * key is RETRIABLE (e.g. the retry function just revived one), or changed meanwhile: the newer
   * change must then wait behind it.
   */
  supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome>;
}

/** Where a page of due items ended (opaque: the adapter's own position). */
export type DueCursor = unknown;

export interface DuePage {
  readonly items: ParkedItem[];
  readonly after?: DueCursor;
}

/**
 * Re-driving: the retry function. Every change to an item is conditional on its status and on
 * the caller's claim.
 */
/** The most items one claimAll or removeAll takes: a DynamoDB transaction's limit. */
export const CLAIM_BATCH_LIMIT = 100;

export interface RedriveStore {
  /**
   * Up to `limit` items of this status whose next attempt is due at `now`, oldest first (the
   * status/next-attempt index), from where the `after` of an earlier page left off. `after` is
   * absent when there is nothing more.
   */
  due(status: FallbackStatus, now: string, limit: number, after?: DueCursor): Promise<DuePage>;
  /** Items of this status, any next-attempt time (for archiving STALE and SUPERSEDED). */
  withStatus(status: FallbackStatus, limit: number): Promise<ParkedItem[]>;
  /** All items of one key, oldest first (consistent read). */
  itemsOfKey(entity: string, id: string): Promise<ParkedItem[]>;
  /** Takes the item for `owner` until `until` unless someone else holds an unexpired claim; false if not taken. */
  claim(item: ParkedItem, owner: string, now: string, until: string): Promise<boolean>;
  /** Deletes an item the owner holds (sent to Kafka); false if the claim was lost. */
  remove(item: ParkedItem, owner: string): Promise<boolean>;
  /**
   * `claim` of every item at once (one transaction, at most CLAIM_BATCH_LIMIT items): all are
   * taken, or none is (false: one was held by another or changed, or the batch met another write).
   */
  claimAll(items: readonly ParkedItem[], owner: string, now: string, until: string): Promise<boolean>;
  /** `remove` of every item at once (one transaction, at most CLAIM_BATCH_LIMIT items): all or none. */
  removeAll(items: readonly ParkedItem[], owner: string): Promise<boolean>;
  /** Records a failed attempt and releases the claim. */
  reschedule(item: ParkedItem, owner: string, change: Reschedule): Promise<void>;
  /** Moves an item from one status to another (e.g. AMBIGUOUS → RETRIABLE), releasing any claim of the owner; false if its status changed meanwhile. */
  setStatus(item: ParkedItem, from: FallbackStatus, to: FallbackStatus, note: Note, owner?: string): Promise<boolean>;
  /**
   * AMBIGUOUS → SUPERSEDED by the newer change of `supersededBy` (its updatedAt), releasing any
   * claim; false if the item is no longer AMBIGUOUS. The one write of the supersede rule.
   */
  supersede(item: Pick<ParkedItem, 'pk' | 'sk'>, supersededBy: string): Promise<boolean>;
  /** Deletes an archived item, if it still has this status. */
  drop(item: ParkedItem, status: FallbackStatus): Promise<boolean>;
  /** The payload, from the item or from S3. */
  payloadOf(item: ParkedItem): Promise<unknown>;
}

/** An entity's items of one status, counted up to a cap (`capped`: there are at least `count`). */
export interface ParkedCount {
  readonly count: number;
  readonly capped: boolean;
}

/** Counting: the operator's status, and the retry function's backlog metric. */
export interface FallbackCensus {
  /** Every item of this status, page by page (through the status/next-attempt index, not a scan). */
  itemsWithStatus(status: FallbackStatus): AsyncIterable<ParkedItemHeader>;
  /**
   * How many of the entity's items have this status, counting no further than `cap`: through the
   * keys-only index (about 100 bytes an item, so 10,000 items cost about 125 read units).
   */
  countParked(entity: string, status: FallbackStatus, cap: number): Promise<ParkedCount>;
}

/** Restoring: the operator's redrive of archived events, never replacing an item that is there. */
export interface RestoreStore {
  /**
   * Parks one event unless an item with its key (entity, id, updatedAt, eventId) is already in
   * the table; false when one is. `note` adds plain attributes (e.g. where a re-driven event came
   * from); it never overrides the event's own.
   */
  parkIfAbsent(event: ParkedEvent, note?: Readonly<Record<string, string>>): Promise<boolean>;
}

/** The whole table, as its adapters implement it. */
export type FallbackTable = FallbackStore & RedriveStore & FallbackCensus & RestoreStore;
