import type { FieldViolation } from '../serde/errors';

export type FallbackStatus = 'RETRIABLE' | 'AMBIGUOUS' | 'SUPERSEDED' | 'STALE';

/** Why an event is parked (DESIGN.md boundary 4), plus the ordering rule's own reason. */
export const PARK_REASONS = ['KAFKA_UNAVAILABLE', 'SCHEMA_VALIDATION', 'SCHEMA_NOT_FOUND', 'MALFORMED_EVENT', 'PAYLOAD_TOO_LARGE', 'UNDECODABLE', 'PARKED_BEHIND_KEY'] as const;
export type ParkReason = (typeof PARK_REASONS)[number];

/** One event that could not be published, as the fallback table keeps it. */
export interface ParkedEvent {
  readonly entity: string;
  readonly id: string;
  readonly updatedAt: string;
  readonly eventId: string;
  /** The change record (or the raw source entry for a malformed one), exactly as received. */
  readonly payload: unknown;
  readonly status: FallbackStatus;
  readonly reason: ParkReason;
  readonly error: string;
  readonly violations?: readonly FieldViolation[];
  readonly attempts: number;
  readonly firstSeenAt: string;
  readonly nextAttemptAt: string;
}

export function partitionKey(entity: string, id: string): string {
  return `${entity}#${id}`;
}

/** Sorts a key's events oldest first, so they drain in order. */
export function sortKey(updatedAt: string, eventId: string): string {
  return `${updatedAt}#${eventId}`;
}
