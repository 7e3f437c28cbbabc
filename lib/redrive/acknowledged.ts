import type { ParkedItem } from '../fallback';

/** How many sent-but-not-deleted events a container remembers; the oldest is forgotten first. */
export const ACKNOWLEDGED_LIMIT = 100_000;

/**
 * The parked events this container sent, that Kafka acknowledged, and whose delete from the
 * fallback table has not been confirmed: the delete failed (DynamoDB unavailable, an answer
 * lost). The next drain of such an event deletes it without sending it again, so one lost delete
 * no longer puts another copy on the topic.
 *
 * An entry is the item's table key with its eventId, so only that very event is passed over. It
 * lives in the container: a cold start, or another container, knows nothing of it and sends the
 * event again, which is the at-least-once of before, not a loss. Kafka's acknowledgement
 * (`acks: all`) is what makes skipping the send safe.
 */
export class AcknowledgedLedger {
  private readonly entries = new Map<string, string>();

  constructor(private readonly limit = ACKNOWLEDGED_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`AcknowledgedLedger: limit must be ≥ 1, got ${limit}`);
  }

  /** Kafka acknowledged the item: remembered until `forget`. */
  acknowledged(item: ParkedItem): void {
    const key = keyOf(item);
    this.entries.delete(key);
    this.entries.set(key, item.eventId);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  /** True when this container already had this very event acknowledged by Kafka. */
  has(item: ParkedItem): boolean {
    return this.entries.get(keyOf(item)) === item.eventId;
  }

  /** The item's delete went through, or another invocation holds it now: nothing to remember. */
  forget(item: ParkedItem): void {
    this.entries.delete(keyOf(item));
  }

  get size(): number {
    return this.entries.size;
  }
}

const keyOf = (item: ParkedItem): string => `${item.pk}\u0000${item.sk}`;
