import { createHash } from 'node:crypto';
import type { FieldViolation } from '../serde/errors';

export type FallbackStatus = 'RETRIABLE' | 'AMBIGUOUS' | 'SUPERSEDED' | 'STALE';

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

/**
 * DynamoDB refuses a partition key over 2,048 bytes, and a source id can be longer: such an id is
 * keyed by its hash (the item keeps the id itself), so the event still parks. The NUL byte
 * after the entity marks a hashed key.
 */
export const MAX_PLAIN_KEY_BYTES = 1024;

export function partitionKey(entity: string, id: string): string {
  const plain = `${entity}#${id}`;
  if (Buffer.byteLength(plain) <= MAX_PLAIN_KEY_BYTES) return plain;
  return `${entity}#\u0000sha256:${createHash('sha256').update(id).digest('hex')}`;
}

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

/** One item per (key, event): what parking the same event twice, in one call or two, keeps. */
export function itemKeyOf(event: Pick<ParkedEvent, 'entity' | 'id' | 'updatedAt' | 'eventId'>): string {
  return `${partitionKey(event.entity, event.id)}\u0000${sortKey(event.updatedAt, event.eventId)}`;
}

/** Sorts a key's events oldest first, so they drain in order. */
export function sortKey(updatedAt: string, eventId: string): string {
  return `${updatedAt}#${eventId}`;
}
