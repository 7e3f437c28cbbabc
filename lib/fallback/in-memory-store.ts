import { HISTORY_LIMIT, OPEN_STATUSES } from './parked-item';
import type { FallbackStatus, OpenStatus, ParkedEvent, ParkedItem, ParkedItemHeader, Reschedule } from './parked-item';
import {
  CLAIM_BATCH_LIMIT,
  type DueCursor,
  type DuePage,
  type FallbackTable,
  type Note,
  type OpenKeys,
  type ParkedCount,
  type SupersedeOutcome,
} from './ports';
import { supersedeEarlier } from './supersede';
import { itemKeyOf, itemOf, partitionKey } from './table';

/** An item's place in the status/next-attempt index's order. */
const place = (i: ParkedItem): string => `${i.nextAttemptAt}\u0000${i.pk}\u0000${i.sk}`;
const keyOf = (item: Pick<ParkedItem, 'pk' | 'sk'>): string => `${item.pk}\u0000${item.sk}`;

/**
 * The fallback table in memory, in every role and with the DynamoDB adapter's conditional
 * semantics, for unit tests: items keyed and bounded as the table keeps them (payloads inline,
 * as JSON text). `failNextPark` makes the next `park` throw, as an unavailable table would.
 */
export class InMemoryFallbackStore implements FallbackTable {
  readonly items = new Map<string, ParkedItem>();
  failNextPark = false;

  /** Parks events as the poller would (outside the port, for setting a test up). */
  add(...events: ParkedEvent[]): void {
    for (const event of events)
      if (!this.items.has(itemKeyOf(event))) this.items.set(itemKeyOf(event), itemOf(event).item);
  }

  /** Every item, by key. */
  get all(): ParkedItem[] {
    return [...this.items.values()].sort((a, b) => (a.pk + a.sk).localeCompare(b.pk + b.sk));
  }

  /** Every item as the event it was parked as, in the order they were parked. */
  get events(): (ParkedEvent & Pick<ParkedItem, 'supersededBy'>)[] {
    return [...this.items.values()].map(({ pk: _pk, sk: _sk, payload, payloadS3: _s3, ...rest }) => ({
      ...rest,
      payload: payload === undefined ? null : JSON.parse(payload),
    }));
  }

  async park(events: readonly ParkedEvent[]): Promise<void> {
    if (this.failNextPark) {
      this.failNextPark = false;
      throw new Error('fallback table unavailable (in memory)');
    }
    this.add(...events);
  }

  async parkIfAbsent(event: ParkedEvent, note: Readonly<Record<string, string>> = {}): Promise<boolean> {
    if (this.items.has(itemKeyOf(event))) return false;
    this.items.set(itemKeyOf(event), { ...note, ...itemOf(event).item });
    return true;
  }

  async openKeys(entity: string, limit: number): Promise<OpenKeys | undefined> {
    const open = [...this.items.values()].filter(
      (i) => i.entity === entity && (OPEN_STATUSES as readonly string[]).includes(i.status),
    );
    if (OPEN_STATUSES.some((status) => open.filter((i) => i.status === status).length > limit)) return undefined;
    const keys = (status: OpenStatus): Set<string> => new Set(open.filter((i) => i.status === status).map((i) => i.pk));
    return { RETRIABLE: keys('RETRIABLE'), AMBIGUOUS: keys('AMBIGUOUS') };
  }

  async openStatusesOf(entity: string, ids: readonly string[]): Promise<Map<string, OpenStatus[]>> {
    const found = new Map<string, OpenStatus[]>();
    for (const id of ids) {
      const statuses = OPEN_STATUSES.filter((s) =>
        [...this.items.values()].some((i) => i.pk === partitionKey(entity, id) && i.status === s),
      );
      if (statuses.length > 0) found.set(id, statuses);
    }
    return found;
  }

  supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome> {
    return supersedeEarlier(this, entity, id, updatedAt);
  }

  async due(status: FallbackStatus, now: string, limit: number, after?: DueCursor): Promise<DuePage> {
    // As the index: ordered by next attempt; the cursor is the last item's place in that order.
    const all = this.byIndex().filter(
      (i) => i.status === status && i.nextAttemptAt <= now && (after === undefined || place(i) > (after as string)),
    );
    const items = all.slice(0, limit);
    return all.length > limit ? { items, after: place(items[items.length - 1]!) } : { items };
  }

  async withStatus(status: FallbackStatus, limit: number): Promise<ParkedItem[]> {
    return this.byIndex()
      .filter((i) => i.status === status)
      .slice(0, limit);
  }

  async itemsOfKey(entity: string, id: string): Promise<ParkedItem[]> {
    return this.all.filter((i) => i.pk === partitionKey(entity, id));
  }

  async claim(item: ParkedItem, owner: string, now: string, until: string): Promise<boolean> {
    const current = this.items.get(keyOf(item));
    if (current === undefined || current.status !== item.status) return false;
    if (current.claimUntil !== undefined && current.claimUntil >= now && current.claimedBy !== owner) return false;
    this.items.set(keyOf(item), { ...current, claimedBy: owner, claimUntil: until });
    return true;
  }

  async remove(item: ParkedItem, owner: string): Promise<boolean> {
    if (this.items.get(keyOf(item))?.claimedBy !== owner) return false;
    return this.items.delete(keyOf(item));
  }

  async claimAll(items: readonly ParkedItem[], owner: string, now: string, until: string): Promise<boolean> {
    atMostABatch(items);
    const free = (item: ParkedItem): boolean => {
      const current = this.items.get(keyOf(item));
      if (current === undefined || current.status !== item.status) return false;
      return current.claimUntil === undefined || current.claimUntil < now || current.claimedBy === owner;
    };
    if (!items.every(free)) return false;
    for (const item of items)
      this.items.set(keyOf(item), { ...this.items.get(keyOf(item))!, claimedBy: owner, claimUntil: until });
    return true;
  }

  async removeAll(items: readonly ParkedItem[], owner: string): Promise<boolean> {
    atMostABatch(items);
    if (!items.every((item) => this.items.get(keyOf(item))?.claimedBy === owner)) return false;
    for (const item of items) this.items.delete(keyOf(item));
    return true;
  }

  async reschedule(item: ParkedItem, owner: string, change: Reschedule): Promise<void> {
    const current = this.items.get(keyOf(item));
    if (current?.claimedBy !== owner) return;
    this.items.set(keyOf(item), {
      ...unclaimed(current),
      attempts: change.attempts,
      nextAttemptAt: change.nextAttemptAt,
      error: change.error,
      history: [...(current.history ?? []), { at: change.at, error: change.error }].slice(-HISTORY_LIMIT),
    });
  }

  async setStatus(
    item: ParkedItem,
    from: FallbackStatus,
    to: FallbackStatus,
    note: Note,
    owner?: string,
  ): Promise<boolean> {
    const current = this.items.get(keyOf(item));
    if (current === undefined || current.status !== from) return false;
    if (owner !== undefined && current.claimedBy !== undefined && current.claimedBy !== owner) return false;
    this.items.set(keyOf(item), { ...unclaimed(current), ...note, status: to });
    return true;
  }

  async supersede(item: Pick<ParkedItem, 'pk' | 'sk'>, supersededBy: string): Promise<boolean> {
    const current = this.items.get(keyOf(item));
    if (current?.status !== 'AMBIGUOUS') return false;
    this.items.set(keyOf(item), { ...unclaimed(current), status: 'SUPERSEDED', supersededBy });
    return true;
  }

  async drop(item: ParkedItem, status: FallbackStatus): Promise<boolean> {
    if (this.items.get(keyOf(item))?.status !== status) return false;
    return this.items.delete(keyOf(item));
  }

  async payloadOf(item: ParkedItem): Promise<unknown> {
    return item.payload === undefined ? null : JSON.parse(item.payload);
  }

  async countParked(entity: string, status: FallbackStatus, cap: number): Promise<ParkedCount> {
    const count = [...this.items.values()].filter((i) => i.entity === entity && i.status === status).length;
    return count > cap ? { count: cap, capped: true } : { count, capped: false };
  }

  async *itemsWithStatus(status: FallbackStatus): AsyncIterable<ParkedItemHeader> {
    for (const item of this.byIndex()) if (item.status === status) yield item;
  }

  private byIndex(): ParkedItem[] {
    return [...this.items.values()].sort((a, b) => (place(a) < place(b) ? -1 : place(a) > place(b) ? 1 : 0));
  }
}

function unclaimed(item: ParkedItem): ParkedItem {
  const { claimedBy: _c, claimUntil: _u, ...rest } = item;
  return rest;
}

/** As a DynamoDB transaction would refuse it. */
function atMostABatch(items: readonly ParkedItem[]): void {
  if (items.length > CLAIM_BATCH_LIMIT)
    throw new Error(`at most ${CLAIM_BATCH_LIMIT} items at once, got ${items.length}`);
}
