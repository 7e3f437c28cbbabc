/**
 * The fallback table's layout (DESIGN.md boundary 4; resources/tables.yml creates it): the key
 * scheme, the two indexes and how an event becomes an item. Every adapter and every reader of
 * the table takes these names from here.
 */
import { createHash } from 'node:crypto';
import { jsonText } from '../change/json-text';
import { boundedForTable, type ParkedEvent, type ParkedItem } from './parked-item';

/** The per-entity index of parked items (hash entity, range status), projecting keys only: what the poller asks. */
export const KEYS_INDEX = 'byEntityStatus';
/** The index by status and next attempt (hash status, range nextAttemptAt), projecting whole items: the sweeps and the status. */
export const DUE_INDEX = 'byStatusNextAttempt';

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

/** Sorts a key's events oldest first, so they drain in order. */
export function sortKey(updatedAt: string, eventId: string): string {
  return `${updatedAt}#${eventId}`;
}

/** One item per (key, event): what parking the same event twice, in one call or two, keeps. */
export function itemKeyOf(event: Pick<ParkedEvent, 'entity' | 'id' | 'updatedAt' | 'eventId'>): string {
  return `${partitionKey(event.entity, event.id)}\u0000${sortKey(event.updatedAt, event.eventId)}`;
}

/** DynamoDB items are at most 400 KB; larger payloads go to S3 and the item keeps a pointer. */
export const MAX_INLINE_PAYLOAD_BYTES = 300 * 1024;
/** What an item may weigh with its payload inline (the rest of the 400 KB is attribute names and slack). */
const MAX_INLINE_ITEM_BYTES = 360 * 1024;

/** Where an oversized payload goes in the payload bucket. */
export const oversizedPayloadKey = (event: Pick<ParkedEvent, 'entity' | 'eventId'>): string =>
  `oversized/${event.entity}/${event.eventId}.json`;

/**
 * The item an event becomes: keyed, bounded, its payload as JSON text. `inline` is false when
 * the payload is too large to stay in the item: the adapter then puts `payload` in S3 and keeps a
 * pointer (`payloadS3`) instead.
 */
export function itemOf(parked: ParkedEvent): { item: ParkedItem & { payload: string }; inline: boolean } {
  const event = boundedForTable(parked);
  const base = {
    pk: partitionKey(event.entity, event.id),
    sk: sortKey(event.updatedAt, event.eventId),
    entity: event.entity,
    id: event.id,
    updatedAt: event.updatedAt,
    eventId: event.eventId,
    status: event.status,
    reason: event.reason,
    error: event.error,
    attempts: event.attempts,
    firstSeenAt: event.firstSeenAt,
    nextAttemptAt: event.nextAttemptAt,
    ...(event.violations ? { violations: event.violations.map((v) => ({ ...v })) } : {}),
  };
  const payload = jsonText(event.payload ?? null);
  const payloadBytes = Buffer.byteLength(payload);
  const inline =
    payloadBytes <= MAX_INLINE_PAYLOAD_BYTES &&
    payloadBytes + Buffer.byteLength(JSON.stringify(base)) <= MAX_INLINE_ITEM_BYTES;
  return { item: { ...base, payload }, inline };
}
