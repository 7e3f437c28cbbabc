import type { FallbackStore, SupersedeOutcome } from './dynamodb-store';
import { boundedForTable, type FallbackStatus, itemKeyOf, type ParkedEvent } from './parked-event';

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

  async parkedKeys(entity: string, status: FallbackStatus): Promise<Set<string>> {
    return new Set(this.events.filter((e) => e.entity === entity && e.status === status).map((e) => e.id));
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
