import { type FallbackStatus, type ParkedEvent, partitionKey, sortKey } from '../fallback';
import { HISTORY_LIMIT, type ParkedItem, type Reschedule } from './parked-item';
import type { DueCursor, DuePage, RedriveStore } from './store';

/** An item's place in the status/next-attempt index's order. */
const place = (i: ParkedItem): string => `${i.nextAttemptAt}\u0000${i.pk}\u0000${i.sk}`;

/** The fallback table in memory, with the same conditional semantics, for unit tests of the retry core. */
export class InMemoryRedriveStore implements RedriveStore {
  readonly items = new Map<string, ParkedItem>();

  /** Parks events as the poller would. */
  add(...events: ParkedEvent[]): void {
    for (const e of events) {
      const { payload, violations, ...rest } = e;
      const item: ParkedItem = {
        ...rest,
        pk: partitionKey(e.entity, e.id),
        sk: sortKey(e.updatedAt, e.eventId),
        payload: JSON.stringify(payload ?? null),
        ...(violations ? { violations: [...violations] } : {}),
      };
      this.items.set(this.keyOf(item), item);
    }
  }

  get all(): ParkedItem[] {
    return [...this.items.values()].sort((a, b) => (a.pk + a.sk).localeCompare(b.pk + b.sk));
  }

  async due(status: FallbackStatus, now: string, limit: number, after?: DueCursor): Promise<DuePage> {
    // As the index: ordered by next attempt; the cursor is the last item's place in that order.
    const all = this.sorted().filter(
      (i) => i.status === status && i.nextAttemptAt <= now && (after === undefined || place(i) > (after as string)),
    );
    const items = all.slice(0, limit);
    return all.length > limit ? { items, after: place(items[items.length - 1]!) } : { items };
  }

  async withStatus(status: FallbackStatus, limit: number): Promise<ParkedItem[]> {
    return this.sorted()
      .filter((i) => i.status === status)
      .slice(0, limit);
  }

  async itemsOfKey(entity: string, id: string): Promise<ParkedItem[]> {
    return this.all.filter((i) => i.pk === partitionKey(entity, id));
  }

  async claim(item: ParkedItem, owner: string, now: string, until: string): Promise<boolean> {
    const current = this.items.get(this.keyOf(item));
    if (current === undefined || current.status !== item.status) return false;
    if (current.claimUntil !== undefined && current.claimUntil >= now && current.claimedBy !== owner) return false;
    this.items.set(this.keyOf(item), { ...current, claimedBy: owner, claimUntil: until });
    return true;
  }

  async remove(item: ParkedItem, owner: string): Promise<boolean> {
    if (this.items.get(this.keyOf(item))?.claimedBy !== owner) return false;
    return this.items.delete(this.keyOf(item));
  }

  async reschedule(item: ParkedItem, owner: string, change: Reschedule): Promise<void> {
    const current = this.items.get(this.keyOf(item));
    if (current?.claimedBy !== owner) return;
    const { claimedBy: _c, claimUntil: _u, ...rest } = current;
    this.items.set(this.keyOf(item), {
      ...rest,
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
    note: Record<string, string>,
    owner?: string,
  ): Promise<boolean> {
    const current = this.items.get(this.keyOf(item));
    if (current === undefined || current.status !== from) return false;
    if (owner !== undefined && current.claimedBy !== undefined && current.claimedBy !== owner) return false;
    const { claimedBy: _c, claimUntil: _u, ...rest } = current;
    this.items.set(this.keyOf(item), { ...rest, ...note, status: to });
    return true;
  }

  async drop(item: ParkedItem, status: FallbackStatus): Promise<boolean> {
    if (this.items.get(this.keyOf(item))?.status !== status) return false;
    return this.items.delete(this.keyOf(item));
  }

  async payloadOf(item: ParkedItem): Promise<unknown> {
    return item.payload === undefined ? null : JSON.parse(item.payload);
  }

  private sorted(): ParkedItem[] {
    return [...this.items.values()].sort((a, b) => (place(a) < place(b) ? -1 : place(a) > place(b) ? 1 : 0));
  }

  private keyOf(item: Pick<ParkedItem, 'pk' | 'sk'>): string {
    return `${item.pk}\u0000${item.sk}`;
  }
}
