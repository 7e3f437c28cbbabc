import {
  type FallbackStore,
  OPEN_STATUSES,
  type OpenKeys,
  type OpenStatus,
  type SupersedeOutcome,
} from './dynamodb-store';
import { boundedForTable, itemKeyOf, type ParkedEvent, partitionKey } from './parked-event';

/** The fallback port in memory, for unit tests of the poll core. */
export class InMemoryFallbackStore implements FallbackStore {
  readonly events: ParkedEvent[] = [];
  failNextPark = false;

  async park(events: readonly ParkedEvent[]): Promise<void> {
    if (this.failNextPark) {
      this.failNextPark = false;
      throw new Error('fallback table unavailable (in memory)');
    }
    // As the DynamoDB adapter: an event already parked keeps its item (and its state); bounded as stored.
    const parked = new Set(this.events.map(itemKeyOf));
    for (const event of events) {
      if (parked.has(itemKeyOf(event))) continue;
      parked.add(itemKeyOf(event));
      this.events.push(boundedForTable(event));
    }
  }

  async openKeys(entity: string, limit: number): Promise<OpenKeys | undefined> {
    const open = this.events.filter(
      (e) => e.entity === entity && (OPEN_STATUSES as readonly string[]).includes(e.status),
    );
    if (
      open.filter((e) => e.status === 'RETRIABLE').length > limit ||
      open.filter((e) => e.status === 'AMBIGUOUS').length > limit
    )
      return undefined;
    const keys = (status: OpenStatus): Set<string> =>
      new Set(open.filter((e) => e.status === status).map((e) => partitionKey(entity, e.id)));
    return { RETRIABLE: keys('RETRIABLE'), AMBIGUOUS: keys('AMBIGUOUS') };
  }

  async openStatusesOf(entity: string, ids: readonly string[]): Promise<Map<string, OpenStatus[]>> {
    const found = new Map<string, OpenStatus[]>();
    for (const id of ids) {
      const statuses = OPEN_STATUSES.filter((s) =>
        this.events.some((e) => e.entity === entity && e.id === id && e.status === s),
      );
      if (statuses.length > 0) found.set(id, statuses);
    }
    return found;
  }

  async supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome> {
    let superseded = 0;
    let blocked = false;
    this.events.forEach((e, i) => {
      if (e.entity !== entity || e.id !== id || e.updatedAt >= updatedAt) return;
      if (e.status === 'RETRIABLE') blocked = true;
      if (e.status === 'AMBIGUOUS') {
        this.events[i] = { ...e, status: 'SUPERSEDED' };
        superseded += 1;
      }
    });
    return { superseded, blocked };
  }
}
