import type { ChangeRecord } from '../change/change-record';
import type { Logger } from '../log';
import { changeMessage, KafkaRefusedError, KafkaUnavailableError, type Publisher } from '../publish';
import { SchemaNotFoundError } from '../registry';
import { type GlueAvroSerde, SchemaValidationError } from '../serde';
import { type ParkedItem, type RedriveStore, supersedeOlder } from '../fallback';
import type { AcknowledgedLedger } from './acknowledged';
import { nextAttemptAt, type RedrivePolicy, staleBecause } from './policy';

export interface RedriveDependencies {
  readonly store: RedriveStore;
  readonly publisher: Publisher;
  readonly serde: GlueAvroSerde;
  readonly log: Logger;
  readonly now: () => Date;
  /** This invocation, as the owner of its claims. */
  readonly owner: string;
  readonly random?: () => number;
  /** What this container sent whose delete was not confirmed: deleted next time, not sent again. */
  readonly acknowledged?: AcknowledgedLedger;
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
  /** Events Kafka had acknowledged to this container before (their delete failed): deleted, not sent again. */
  acknowledgedBefore: number;
  /** Why Kafka did not take a message, the first time it did not (for the operator's log). */
  kafkaError?: string;
}

export const emptyDrainSummary = (): DrainSummary => ({
  published: 0,
  revived: 0,
  stillInvalid: 0,
  failed: 0,
  stale: 0,
  superseded: 0,
  busy: 0,
  acknowledgedBefore: 0,
});

/**
 * One drain (a sweep, or a stream batch): what it works with, and the summary every key it
 * drains counts into.
 */
export interface DrainRun {
  readonly deps: RedriveDependencies;
  readonly policy: RedrivePolicy;
  readonly summary: DrainSummary;
}

/** What draining one item means for the rest of its key. */
type Step = 'next' | 'key waits' | 'kafka down';

/**
 * Drains one key's parked events, oldest first, so Kafka never goes backwards for it:
 * - RETRIABLE: re-encoded with the latest schema and sent; on success deleted (which releases
 *   the key), on failure rescheduled with backoff, and the key's newer events keep waiting;
 * - AMBIGUOUS: re-validated against the latest schema; valid now → RETRIABLE and sent in turn
 *   (unless the poller superseded it meanwhile); still invalid → attempt counted, rescheduled;
 * - past its stale limit → STALE, for the sweep to archive, alert on and delete.
 * Each item is claimed first: if another invocation holds one (or takes one over), the key is
 * busy and this one leaves the rest of it alone. Returns false when Kafka is down (no point in
 * trying other keys now).
 */
export async function drainKey(
  run: DrainRun,
  entity: string,
  id: string,
  /** The key's items as a batched drain read them, from where it left off (else read here). */
  read?: readonly ParkedItem[],
): Promise<boolean> {
  // The key's older events that are AMBIGUOUS as this drain goes: as read, or made so by it (a
  // RETRIABLE one the latest schema rejects). The next event sent supersedes all of them.
  const ambiguous: ParkedItem[] = [];
  for (const item of read ?? (await run.deps.store.itemsOfKey(entity, id))) {
    const step = await drainItem(run, item, ambiguous);
    if (step === 'kafka down') return false;
    if (step === 'key waits') return true;
  }
  return true;
}

async function drainItem(run: DrainRun, parked: ParkedItem, ambiguous: ParkedItem[]): Promise<Step> {
  const { deps, policy, summary } = run;
  if (parked.status !== 'RETRIABLE' && parked.status !== 'AMBIGUOUS') return 'next';
  const now = deps.now();
  const stale = staleBecause(parked, now, policy);
  if (stale !== undefined) {
    if (
      await deps.store.setStatus(
        parked,
        parked.status,
        'STALE',
        { staleBecause: stale, staleAt: now.toISOString() },
        deps.owner,
      )
    ) {
      summary.stale += 1;
      return 'next';
    }
    // Another invocation holds it: it took it just before the limit and may be sending it now.
    return busy(summary);
  }
  // An ambiguous event never holds back newer ones; a retriable one not yet due does.
  if (parked.nextAttemptAt > now.toISOString()) {
    if (parked.status === 'RETRIABLE') return 'key waits';
    ambiguous.push(parked);
    return 'next';
  }
  if (!(await claim(run, parked))) return busy(summary);
  const payload = await deps.store.payloadOf(parked);
  let item = parked;
  if (item.status === 'AMBIGUOUS') {
    const revived = await revive(run, item, payload);
    if (revived === 'still invalid') {
      ambiguous.push(item);
      return 'next';
    }
    if (revived === 'taken') return busy(summary);
    item = revived;
  }
  const outcome = await send(run, item, payload as ChangeRecord, ambiguous);
  if (outcome === 'now ambiguous') ambiguous.push({ ...item, status: 'AMBIGUOUS' });
  if (outcome === 'sent' || outcome === 'now ambiguous') return 'next';
  if (outcome === 'taken') return busy(summary);
  // Refused (this topic's limits or grants): the key waits, the other keys go on.
  return outcome === 'refused' ? 'key waits' : 'kafka down';
}

function busy(summary: DrainSummary): Step {
  summary.busy += 1;
  return 'key waits';
}

async function claim({ deps, policy }: DrainRun, item: ParkedItem): Promise<boolean> {
  const now = deps.now();
  return deps.store.claim(item, deps.owner, now.toISOString(), new Date(now.getTime() + policy.claimMs).toISOString());
}

/** A claimed AMBIGUOUS item the latest schema accepts, made RETRIABLE and claimed again; else why not. */
async function revive(
  run: DrainRun,
  item: ParkedItem,
  payload: unknown,
): Promise<ParkedItem | 'still invalid' | 'taken'> {
  const { deps, summary } = run;
  const recheck = await revalidate(run, item, payload);
  if (recheck !== undefined) {
    summary.stillInvalid += 1;
    await reschedule(run, item, recheck);
    return 'still invalid';
  }
  // Not changed: superseded by the poller meanwhile, or our claim ran out and another took it.
  // Either way the next drain reads the key again and decides on what is there then.
  if (
    !(await deps.store.setStatus(
      item,
      'AMBIGUOUS',
      'RETRIABLE',
      { revalidatedAt: deps.now().toISOString() },
      deps.owner,
    ))
  )
    return 'taken';
  summary.revived += 1;
  const revived: ParkedItem = { ...item, status: 'RETRIABLE' };
  return (await claim(run, revived)) ? revived : 'taken';
}

/** Undefined when the payload is valid under the latest schema, else why not. */
async function revalidate({ deps, policy }: DrainRun, item: ParkedItem, payload: unknown): Promise<string | undefined> {
  // Malformed or oversized source entries and records the consumer could not decode cannot be sent: nothing to re-check.
  if (
    item.reason === 'MALFORMED_EVENT' ||
    item.reason === 'PAYLOAD_TOO_LARGE' ||
    item.reason === 'UNDECODABLE' ||
    (payload as { source?: unknown } | null)?.source === 'consumer'
  )
    return item.error;
  try {
    // Schemas are named after their topics (DESIGN.md boundary 3); `latest` is re-read after its short TTL.
    await deps.serde.encode(policy.topicOf(item.entity), payload);
    return undefined;
  } catch (error) {
    if (error instanceof SchemaValidationError || error instanceof SchemaNotFoundError) return error.message;
    throw error;
  }
}

/**
 * Encodes the claimed RETRIABLE item with the latest schema, supersedes the key's older ambiguous
 * events (only a *valid* newer event may), sends it and deletes it.
 */
async function send(
  run: DrainRun,
  item: ParkedItem,
  record: ChangeRecord,
  ambiguous: ParkedItem[],
): Promise<'sent' | 'kafka down' | 'refused' | 'now ambiguous' | 'taken'> {
  const { deps, policy, summary } = run;
  // Already on Kafka (acknowledged, its delete lost): only the delete is left to do.
  const onKafka = deps.acknowledged?.has(item) === true;
  let encoded;
  try {
    if (!onKafka)
      encoded = await deps.serde.encode(policy.topicOf(item.entity), record, policy.compressionOf(item.entity));
  } catch (error) {
    if (!(error instanceof SchemaValidationError) && !(error instanceof SchemaNotFoundError)) throw error;
    // Valid when parked, but invalid under the latest schema, or its schema is gone: ambiguous
    // now (re-checked by each sweep until its stale limit); it no longer holds the key.
    const reason = error instanceof SchemaNotFoundError ? 'SCHEMA_NOT_FOUND' : 'SCHEMA_VALIDATION';
    if (!(await deps.store.setStatus(item, 'RETRIABLE', 'AMBIGUOUS', { reason, error: error.message }, deps.owner)))
      return 'taken';
    summary.stillInvalid += 1;
    return 'now ambiguous';
  }
  // Only a *valid* newer event supersedes the key's older ambiguous ones (lib/fallback/supersede.ts).
  const marked = await supersedeOlder(deps.store, ambiguous, item.updatedAt);
  ambiguous.splice(0, marked.superseded);
  summary.superseded += marked.superseded;
  if (!marked.complete) {
    // Gives the claim back at once (a move to the same status releases it), so the next drain need not wait for it to run out.
    await deps.store.setStatus(item, 'RETRIABLE', 'RETRIABLE', {}, deps.owner);
    return 'taken';
  }
  if (encoded === undefined) summary.acknowledgedBefore += 1;
  else {
    const published = await publishOne(run, item, record, encoded);
    if (published !== 'sent') return published;
  }
  // The claim ran out and another invocation took the item: it may send it again, after this
  // key's newer events if this drain went on; so the key is left to it (at least once, in order).
  const removed = await deps.store.remove(item, deps.owner);
  deps.acknowledged?.forget(item);
  if (removed) return 'sent';
  deps.log.warn('sent, but the item was claimed by another invocation meanwhile', {
    entity: item.entity,
    id: item.id,
    eventId: item.eventId,
  });
  return 'taken';
}

/** Sends the claimed item; acknowledged, it is remembered until its delete goes through. */
async function publishOne(
  run: DrainRun,
  item: ParkedItem,
  record: ChangeRecord,
  encoded: { readonly schemaVersionId: string; readonly bytes: Buffer },
): Promise<'sent' | 'kafka down' | 'refused'> {
  const { deps, policy, summary } = run;
  const topic = policy.topicOf(item.entity);
  try {
    const [written] = await deps.publisher.publish(topic, [
      changeMessage(item.entity, record, encoded.schemaVersionId, encoded.bytes),
    ]);
    deps.acknowledged?.acknowledged(item);
    // One line per re-sent event, with where Kafka wrote it: the audit trail of every parked event that left the table.
    deps.log.info('re-sent', {
      entity: item.entity,
      id: item.id,
      updatedAt: item.updatedAt,
      eventId: item.eventId,
      reason: item.reason,
      topic,
      partition: written?.partition,
      offset: written?.baseOffset,
    });
  } catch (error) {
    if (!(error instanceof KafkaUnavailableError) && !(error instanceof KafkaRefusedError)) throw error;
    summary.failed += 1;
    summary.kafkaError ??= error.message;
    await reschedule(run, item, error.message);
    return error instanceof KafkaRefusedError ? 'refused' : 'kafka down';
  }
  summary.published += 1;
  return 'sent';
}

/** Records a failed attempt on a claimed item (with backoff) and gives its claim back. */
export async function reschedule({ deps, policy }: DrainRun, item: ParkedItem, error: string): Promise<void> {
  const now = deps.now();
  const attempts = item.attempts + 1;
  await deps.store.reschedule(item, deps.owner, {
    attempts,
    nextAttemptAt: nextAttemptAt(now, attempts, policy, deps.random),
    error,
    at: now.toISOString(),
  });
}
