import type { FieldViolation } from '../serde/errors';

export type FallbackStatus = 'RETRIABLE' | 'AMBIGUOUS' | 'SUPERSEDED' | 'STALE';

/** The statuses whose events hold a key's newer changes back (or may be superseded by them). */
export type OpenStatus = 'RETRIABLE' | 'AMBIGUOUS';
export const OPEN_STATUSES: readonly OpenStatus[] = ['RETRIABLE', 'AMBIGUOUS'];
export const FALLBACK_STATUSES: readonly FallbackStatus[] = [...OPEN_STATUSES, 'SUPERSEDED', 'STALE'];

/** Why an event is parked (DESIGN.md boundary 4), plus the ordering rule's own reason. */
export const PARK_REASONS = [
  'KAFKA_UNAVAILABLE',
  'KAFKA_REFUSED',
  'SCHEMA_VALIDATION',
  'SCHEMA_NOT_FOUND',
  'MALFORMED_EVENT',
  'PAYLOAD_TOO_LARGE',
  'UNDECODABLE',
  'PARKED_BEHIND_KEY',
] as const;
export type ParkReason = (typeof PARK_REASONS)[number];

/**
 * One item of the fallback table (DESIGN.md boundary 4): the one record type of the table. The
 * poller and the consumer park a `ParkedEvent` (the same fields before the table adds its key and
 * stores the payload), the retry function claims, reschedules and drains items, the status reads
 * their `ParkedItemHeader`, and the stale archive keeps them as `ArchivedItem` lines.
 */
export interface ParkedItem {
  /** `partitionKey(entity, id)` and `sortKey(updatedAt, eventId)` (table.ts). */
  readonly pk: string;
  readonly sk: string;
  readonly entity: string;
  readonly id: string;
  readonly updatedAt: string;
  readonly eventId: string;
  readonly status: FallbackStatus;
  readonly reason: ParkReason;
  readonly error: string;
  readonly violations?: readonly FieldViolation[];
  readonly attempts: number;
  readonly firstSeenAt: string;
  readonly nextAttemptAt: string;
  /** The payload as stored: inline JSON text, or a pointer to S3 for a large one. */
  readonly payload?: string;
  readonly payloadS3?: { readonly bucket: string; readonly key: string };
  /** The last attempts' errors (at most HISTORY_LIMIT), for the stale archive. */
  readonly history?: readonly { readonly at: string; readonly error: string }[];
  readonly claimedBy?: string;
  readonly claimUntil?: string;
  /** The `updatedAt` of the newer change of the key that made this AMBIGUOUS event SUPERSEDED. */
  readonly supersededBy?: string;
  readonly staleBecause?: string;
}

/** An event as it is parked: the item's own fields, its payload the change record (or raw entry) as received. */
export type ParkedEvent = Omit<
  ParkedItem,
  'pk' | 'sk' | 'payload' | 'payloadS3' | 'history' | 'claimedBy' | 'claimUntil' | 'supersededBy' | 'staleBecause'
> & {
  /** The change record (or the raw source entry for a malformed one), exactly as received. */
  readonly payload: unknown;
};

/** What the status needs of one item: its key, status, reason and times, never its payload. */
export type ParkedItemHeader = Pick<
  ParkedItem,
  'entity' | 'id' | 'status' | 'reason' | 'firstSeenAt' | 'nextAttemptAt'
>;

/** One line of a stale archive: the item as the table held it, its payload resolved, its claim dropped. */
export type ArchivedItem = Omit<ParkedItem, 'payload' | 'claimedBy' | 'claimUntil'> & { readonly payload: unknown };

/** What a retry attempt changes on an item that stays parked. */
export interface Reschedule {
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly error: string;
  readonly at: string;
}

/** Keeps the last attempts' errors with the item, for the stale archive. */
export const HISTORY_LIMIT = 20;

/** Bounds of what an item keeps of the error and the failing fields: an item is at most 400 KB. */
export const MAX_ERROR_CHARS = 4000;
export const MAX_STORED_VIOLATIONS = 100;
const MAX_VIOLATION_FIELD_CHARS = 300;

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters in all)`;

/**
 * The event as the table keeps it: the error text and the violations list bounded (the first
 * ones, and how many there were), so a record with 30,000 bad fields still makes one item.
 * The payload is kept whole (inline or in S3).
 */
export function boundedForTable(event: ParkedEvent): ParkedEvent {
  const violations = event.violations;
  const bounded =
    violations === undefined
      ? undefined
      : violations.slice(0, MAX_STORED_VIOLATIONS).map((v) => ({
          path: clip(v.path, MAX_VIOLATION_FIELD_CHARS),
          expected: clip(v.expected, MAX_VIOLATION_FIELD_CHARS),
          received: clip(v.received, MAX_VIOLATION_FIELD_CHARS),
        }));
  const omitted =
    violations !== undefined && violations.length > MAX_STORED_VIOLATIONS
      ? ` [${violations.length} failing fields; the first ${MAX_STORED_VIOLATIONS} are listed]`
      : '';
  const error = clip(event.error, MAX_ERROR_CHARS) + omitted;
  if (error === event.error && bounded === violations) return event;
  return { ...event, error, ...(bounded === undefined ? {} : { violations: bounded }) };
}
