import type { ChangeRecord } from '../change/change-record';
import type { Logger } from '../log';
import { changeMessage, KafkaRefusedError, KafkaUnavailableError, type Publisher } from '../publish';
import { SchemaNotFoundError } from '../registry';
import { type GlueAvroSerde, SchemaValidationError } from '../serde';
import type { ParkedItem } from './parked-item';
import { nextAttemptAt, type RedrivePolicy, staleBecause } from './policy';
import type { RedriveStore } from './store';

export interface RedriveDependencies {
  readonly store: RedriveStore;
  readonly publisher: Publisher;
  readonly serde: GlueAvroSerde;
  readonly log: Logger;
  readonly now: () => Date;
  /** This invocation, as the owner of its claims. */
  readonly owner: string;
  readonly random?: () => number;
}

export interface DrainSummary {
  published: number;
  revived: number;
  stillInvalid: number;
  failed: number;
  stale: number;
  superseded: number;
  /** Keys another invocation was already working on. */
  busy: number;
  /** Why Kafka did not take a message, the first time it did not (for the operator's log). */
  kafkaError?: string;
}

export const emptyDrainSummary = (): DrainSummary => ({ published: 0, revived: 0, stillInvalid: 0, failed: 0, stale: 0, superseded: 0, busy: 0 });

/**
 * Drains one key's parked events, oldest first, so Kafka never goes backwards for it:
 * - RETRIABLE: re-encoded with the latest schema and sent; on success deleted (which releases
 *   the key), on failure rescheduled with backoff, and the key's newer events keep waiting;
 * - AMBIGUOUS: re-validated against the latest schema; valid now → RETRIABLE and sent in turn
 *   (unless the poller superseded it meanwhile); still invalid → attempt counted, rescheduled;
 * - past its stale limit → STALE, for the sweep to archive, alert on and delete.
 * Each item is claimed first: if another invocation holds the key, this one leaves it alone.
 * Returns false when Kafka is down (no point in trying other keys now).
 */
export async function drainKey(entity: string, id: string, deps: RedriveDependencies, policy: RedrivePolicy, summary: DrainSummary): Promise<boolean> {
  const items = await deps.store.itemsOfKey(entity, id);
  for (let i = 0; i < items.length; i += 1) {
    let item = items[i]!;
    if (item.status !== 'RETRIABLE' && item.status !== 'AMBIGUOUS') continue;
    const now = deps.now();
    const stale = staleBecause(item, now, policy);
    if (stale !== undefined) {
      if (await deps.store.setStatus(item, item.status, 'STALE', { staleBecause: stale, staleAt: now.toISOString() }, deps.owner)) summary.stale += 1;
      continue;
    }
    // An ambiguous event never holds back newer ones; a retriable one not yet due does.
    if (item.nextAttemptAt > now.toISOString()) {
      if (item.status === 'RETRIABLE') return true;
      continue;
    }
    if (!(await deps.store.claim(item, deps.owner, now.toISOString(), new Date(now.getTime() + policy.claimMs).toISOString()))) {
      summary.busy += 1;
      return true;
    }
    const payload = await deps.store.payloadOf(item);
    if (item.status === 'AMBIGUOUS') {
      const recheck = await revalidate(item, payload, deps, policy);
      if (recheck !== undefined) {
        summary.stillInvalid += 1;
        await reschedule(item, recheck, deps, policy);
        continue;
      }
      if (!(await deps.store.setStatus(item, 'AMBIGUOUS', 'RETRIABLE', { revalidatedAt: now.toISOString() }, deps.owner))) continue;
      summary.revived += 1;
      item = { ...item, status: 'RETRIABLE' };
      if (!(await deps.store.claim(item, deps.owner, now.toISOString(), new Date(now.getTime() + policy.claimMs).toISOString()))) return true;
    }
    // The newer state goes out: the key's older ambiguous events must never follow it.
    for (const older of items.slice(0, i).filter((o) => o.status === 'AMBIGUOUS')) {
      if (await deps.store.setStatus(older, 'AMBIGUOUS', 'SUPERSEDED', { supersededBy: item.updatedAt })) summary.superseded += 1;
    }
    const sent = await send(item, payload as ChangeRecord, deps, policy, summary);
    if (sent === 'kafka down') return false;
    // Refused (this topic's limits or grants): the key waits, the other keys go on.
    if (sent === 'refused') return true;
  }
  return true;
}

/** Undefined when the payload is valid under the latest schema, else why not. */
async function revalidate(item: ParkedItem, payload: unknown, deps: RedriveDependencies, policy: RedrivePolicy): Promise<string | undefined> {
  // Malformed or oversized source entries and records the consumer could not decode cannot be sent: nothing to re-check.
  if (item.reason === 'MALFORMED_EVENT' || item.reason === 'PAYLOAD_TOO_LARGE' || item.reason === 'UNDECODABLE' || (payload as { source?: unknown } | null)?.source === 'consumer') return item.error;
  try {
    // Schemas are named after their topics (DESIGN.md boundary 3); `latest` is re-read after its short TTL.
    await deps.serde.encode(policy.topicOf(item.entity), payload);
    return undefined;
  } catch (error) {
    if (error instanceof SchemaValidationError || error instanceof SchemaNotFoundError) return error.message;
    throw error;
  }
}

async function send(item: ParkedItem, record: ChangeRecord, deps: RedriveDependencies, policy: RedrivePolicy, summary: DrainSummary): Promise<'sent' | 'kafka down' | 'refused' | 'not sent'> {
  let encoded;
  try {
    encoded = await deps.serde.encode(policy.topicOf(item.entity), record, policy.compressionOf(item.entity));
  } catch (error) {
    if (!(error instanceof SchemaValidationError) && !(error instanceof SchemaNotFoundError)) throw error;
    // Valid when parked, but invalid under the latest schema, or its schema is gone: ambiguous
    // now (re-checked by each sweep until its stale limit); it no longer holds the key.
    const reason = error instanceof SchemaNotFoundError ? 'SCHEMA_NOT_FOUND' : 'SCHEMA_VALIDATION';
    await deps.store.setStatus(item, 'RETRIABLE', 'AMBIGUOUS', { reason, error: error.message }, deps.owner);
    summary.stillInvalid += 1;
    return 'not sent';
  }
  const topic = policy.topicOf(item.entity);
  try {
    const [written] = await deps.publisher.publish(topic, [changeMessage(item.entity, record, encoded.schemaVersionId, encoded.bytes)]);
    // One line per re-sent event, with where Kafka wrote it: the audit trail of every parked event that left the table.
    deps.log.info('re-sent', { entity: item.entity, id: item.id, updatedAt: item.updatedAt, eventId: item.eventId, reason: item.reason, topic, partition: written?.partition, offset: written?.baseOffset });
  } catch (error) {
    if (!(error instanceof KafkaUnavailableError) && !(error instanceof KafkaRefusedError)) throw error;
    summary.failed += 1;
    summary.kafkaError ??= error.message;
    await reschedule(item, error.message, deps, policy);
    return error instanceof KafkaRefusedError ? 'refused' : 'kafka down';
  }
  summary.published += 1;
  // If the claim was lost meanwhile, another invocation may send it again: at least once.
  if (!(await deps.store.remove(item, deps.owner))) deps.log.warn('sent, but the item was claimed by another invocation meanwhile', { entity: item.entity, id: item.id, eventId: item.eventId });
  return 'sent';
}

async function reschedule(item: ParkedItem, error: string, deps: RedriveDependencies, policy: RedrivePolicy): Promise<void> {
  const now = deps.now();
  const attempts = item.attempts + 1;
  await deps.store.reschedule(item, deps.owner, { attempts, nextAttemptAt: nextAttemptAt(now, attempts, policy, deps.random), error, at: now.toISOString() });
}
