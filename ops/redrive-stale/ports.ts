import type { ParkedEvent } from '../../lib/fallback';

/** Where re-driven events go: the fallback table, without ever replacing an item that is there (DynamoDbFallbackStore). */
export interface RestoreTarget {
  /** False when an item with the event's key is already in the table. */
  parkIfAbsent(event: ParkedEvent, note: Readonly<Record<string, string>>): Promise<boolean>;
}
