import type { FallbackStore, SupersedeOutcome } from './dynamodb-store';
import { type FallbackStatus, type ParkedEvent } from './parked-event';

/** The fallback port in memory, for unit tests of the poll core. */
export class InMemoryFallbackStore implements FallbackStore {
  readonly events: ParkedEvent[] = [];
  failNextPark = false;

  async park(events: readonly ParkedEvent[]): Promise<void> {
    if (this.failNextPark) {
      this.failNextPark = false;
      throw new Error('fallback table unavailable (in memory)');
    }
    this.events.push(...events);
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
