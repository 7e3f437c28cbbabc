import type { FallbackStatus } from '../fallback';
import type { ParkedItem, Reschedule } from './parked-item';

/** Where a page of due items ended (opaque: the adapter's own position). */
export type DueCursor = unknown;

export interface DuePage {
  readonly items: ParkedItem[];
  readonly after?: DueCursor;
}

/**
 * The retry function's port to the fallback table. Every change to an item is conditional on
 * its status and on the caller's claim, so the stream trigger and the sweep can race safely.
 */
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
  /** Records a failed attempt and releases the claim. */
  reschedule(item: ParkedItem, owner: string, change: Reschedule): Promise<void>;
  /** Moves an item from one status to another (e.g. AMBIGUOUS → RETRIABLE), releasing any claim of the owner; false if its status changed meanwhile. */
  setStatus(
    item: ParkedItem,
    from: FallbackStatus,
    to: FallbackStatus,
    note: Record<string, string>,
    owner?: string,
  ): Promise<boolean>;
  /** Deletes an archived item, if it still has this status. */
  drop(item: ParkedItem, status: FallbackStatus): Promise<boolean>;
  /** The payload, from the item or from S3. */
  payloadOf(item: ParkedItem): Promise<unknown>;
}
