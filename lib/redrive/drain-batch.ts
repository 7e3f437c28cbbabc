import type { ChangeRecord } from '../change/change-record';
import { CLAIM_BATCH_LIMIT, type ParkedItem } from '../fallback';
import {
  changeMessage,
  KafkaRefusedError,
  KafkaUnavailableError,
  type OutgoingMessage,
  positionsOf,
  type PublishReceipt,
} from '../publish';
import { SchemaNotFoundError } from '../registry';
import { SchemaValidationError } from '../serde';
import { type DrainRun, drainKey, reschedule } from './drain-key';
import { staleBecause } from './policy';

export interface ParkedKey {
  readonly entity: string;
  readonly id: string;
}

export interface KeysDrained {
  readonly kafkaDown: boolean;
  /** Keys whose drain threw (an AWS error, say), each with its error: left as they were. */
  readonly failures: { key: ParkedKey; error: unknown }[];
}

/** A key being drained in step with the others: its items as read, and how far it has got. */
interface KeyInStep {
  readonly key: ParkedKey;
  readonly topic: string;
  readonly items: readonly ParkedItem[];
  next: number;
}

/** A key's next event in this step, claimed and encoded; no message when Kafka has it already (its delete was lost). */
interface StepEvent {
  readonly key: KeyInStep;
  readonly item: ParkedItem;
  readonly message?: OutgoingMessage;
}

/**
 * Drains many keys in step, with few requests: the common shape after a Kafka outage, keys whose
 * events are all RETRIABLE, due, unclaimed and inline, goes out one event per key per step:
 * - each key's items are read once (one Query a key);
 * - a step takes every key's next plain event (RETRIABLE, due, not stale, unclaimed, payload in
 *   the item, valid under the latest schema), claims them in transactions of CLAIM_BATCH_LIMIT
 *   with `claim`'s condition on each, sends each topic's in one `publish` (the publisher's one
 *   request at a time carries many keys and partitions) and deletes what Kafka acknowledged in
 *   transactions with `remove`'s condition; the next step takes the keys' next events.
 * A key never has more than one event in flight, exactly as in drainKey, so an event whose claim
 * was taken over while it was being sent is left to the one that took it (the key stops), and a
 * key never goes back on Kafka. A key whose next event is not plain (AMBIGUOUS, stale, not yet
 * due, claimed, payload in S3), or whose claim transaction was cancelled, leaves the step and is
 * drained one event at a time by drainKey from there, with the items already read.
 */
export async function drainKeys(
  run: DrainRun,
  keys: readonly ParkedKey[],
  concurrency: number,
  timeShort: () => boolean = () => false,
): Promise<KeysDrained> {
  const failures: { key: ParkedKey; error: unknown }[] = [];
  const fail = (key: ParkedKey, error: unknown): void => {
    failures.push({ key, error });
  };
  let inStep: KeyInStep[] = [];
  await inParallel(keys, concurrency, async (key) => {
    try {
      const items = await run.deps.store.itemsOfKey(key.entity, key.id);
      inStep.push({ key, topic: run.policy.topicOf(key.entity), items, next: 0 });
    } catch (error) {
      fail(key, error);
    }
  });
  const oneByOne: KeyInStep[] = [];
  let kafkaDown = false;
  while (inStep.length > 0 && !kafkaDown && !timeShort()) {
    const step: StepEvent[] = [];
    const stillInStep: KeyInStep[] = [];
    for (const key of inStep) {
      try {
        const event = await nextPlainEvent(run, key);
        if (event === 'done') continue;
        if (event === 'not plain') oneByOne.push(key);
        else step.push(event);
      } catch (error) {
        fail(key.key, error);
      }
    }
    const claimed: StepEvent[] = [];
    for (let i = 0; i < step.length; i += CLAIM_BATCH_LIMIT) {
      const chunk = step.slice(i, i + CLAIM_BATCH_LIMIT);
      try {
        if (
          await run.deps.store.claimAll(
            chunk.map((e) => e.item),
            run.deps.owner,
            ...claimWindow(run),
          )
        )
          claimed.push(...chunk);
        else oneByOne.push(...chunk.map((e) => e.key));
      } catch (error) {
        for (const event of chunk) fail(event.key.key, error);
      }
    }
    const byTopic = new Map<string, StepEvent[]>();
    for (const event of claimed) byTopic.set(event.key.topic, [...(byTopic.get(event.key.topic) ?? []), event]);
    for (const [topic, events] of byTopic) {
      try {
        if (kafkaDown) {
          await release(run, events);
          continue;
        }
        const sent = await sendStep(run, topic, events);
        kafkaDown = sent.kafkaDown;
        for (const event of sent.going) {
          event.key.next += 1;
          stillInStep.push(event.key);
        }
      } catch (error) {
        for (const event of events) fail(event.key.key, error);
      }
    }
    inStep = stillInStep;
  }
  await inParallel(oneByOne, concurrency, async (key) => {
    // Left as they are when Kafka is down or time runs short: the next sweep reads them again.
    if (kafkaDown || timeShort()) return;
    try {
      if (!(await drainKey(run, key.key.entity, key.key.id, key.items.slice(key.next)))) kafkaDown = true;
    } catch (error) {
      fail(key.key, error);
    }
  });
  return { kafkaDown, failures };
}

/** The key's next event if it is plain (encoded), 'not plain' if it is not, 'done' when none is left. */
async function nextPlainEvent(run: DrainRun, key: KeyInStep): Promise<StepEvent | 'not plain' | 'done'> {
  // Archived-to-be events (STALE, SUPERSEDED) hold nothing back, in either path.
  while (key.next < key.items.length && !['RETRIABLE', 'AMBIGUOUS'].includes(key.items[key.next]!.status))
    key.next += 1;
  const item = key.items[key.next];
  if (item === undefined) return 'done';
  const now = run.deps.now();
  const at = now.toISOString();
  const plain =
    item.status === 'RETRIABLE' &&
    item.nextAttemptAt <= at &&
    (item.claimUntil === undefined || item.claimUntil < at) &&
    item.payload !== undefined &&
    staleBecause(item, now, run.policy) === undefined;
  if (!plain) return 'not plain';
  if (run.deps.acknowledged?.has(item) === true) return { key, item };
  const message = await encoded(run, key.topic, item);
  return message === undefined ? 'not plain' : { key, item, message };
}

/** The item's Kafka message under the latest schema; undefined when that schema rejects it (drainKey makes it AMBIGUOUS). */
async function encoded(run: DrainRun, topic: string, item: ParkedItem): Promise<OutgoingMessage | undefined> {
  const record = JSON.parse(item.payload!) as ChangeRecord;
  try {
    const frame = await run.deps.serde.encode(topic, record, run.policy.compressionOf(item.entity));
    return changeMessage(item.entity, record, frame.schemaVersionId, frame.bytes);
  } catch (error) {
    if (error instanceof SchemaValidationError || error instanceof SchemaNotFoundError) return undefined;
    throw error;
  }
}

/**
 * Sends a step's claimed events of one topic in one publish and deletes what Kafka acknowledged
 * (and those it had acknowledged to this container before, sent no more). When Kafka fails part
 * way, the first unacknowledged event is rescheduled (as drainKey would have) and the claims of
 * the others are given back untouched. Returns the keys that go on: sent, and still held by this
 * invocation.
 */
async function sendStep(
  run: DrainRun,
  topic: string,
  step: readonly StepEvent[],
): Promise<{ going: StepEvent[]; kafkaDown: boolean }> {
  const { deps, summary } = run;
  const onKafka = step.filter((e) => e.message === undefined);
  const events = step.filter((e) => e.message !== undefined);
  summary.acknowledgedBefore += onKafka.length;
  let acknowledged = events.length;
  let receipts: PublishReceipt[] = [];
  let failure: KafkaUnavailableError | KafkaRefusedError | undefined;
  try {
    if (events.length > 0)
      receipts = await deps.publisher.publish(
        topic,
        events.map((e) => e.message!),
      );
  } catch (error) {
    if (!(error instanceof KafkaUnavailableError) && !(error instanceof KafkaRefusedError)) throw error;
    failure = error;
    acknowledged = error.acknowledged;
    receipts = error.receipts;
    summary.failed += 1;
    summary.kafkaError ??= error.message;
  }
  const sent = events.slice(0, acknowledged);
  for (const { item } of sent) deps.acknowledged?.acknowledged(item);
  if (failure !== undefined) {
    const [first, ...others] = events.slice(acknowledged);
    if (first !== undefined) await reschedule(run, first.item, failure.message);
    await release(run, others);
  }
  // One line per re-sent event, with where Kafka wrote it: the audit trail of every parked event that left the table.
  const positions = positionsOf(receipts, sent.length);
  sent.forEach(({ item }, i) =>
    deps.log.info('re-sent', {
      entity: item.entity,
      id: item.id,
      updatedAt: item.updatedAt,
      eventId: item.eventId,
      reason: item.reason,
      topic,
      partition: positions[i]?.partition,
      offset: positions[i]?.offset,
    }),
  );
  summary.published += sent.length;
  const going = await removeSent(run, [...onKafka, ...sent]);
  return { going, kafkaDown: failure instanceof KafkaUnavailableError };
}

/**
 * Deletes sent events a transaction at a time; a cancelled one goes item by item. An event whose
 * claim another invocation took over while it was sent is left to it: it may send it again, so
 * its key stops here (at least once, in order), as in drainKey.
 */
async function removeSent(run: DrainRun, sent: readonly StepEvent[]): Promise<StepEvent[]> {
  const { deps, summary } = run;
  const going: StepEvent[] = [];
  for (let i = 0; i < sent.length; i += CLAIM_BATCH_LIMIT) {
    const chunk = sent.slice(i, i + CLAIM_BATCH_LIMIT);
    if (
      await deps.store.removeAll(
        chunk.map((e) => e.item),
        deps.owner,
      )
    ) {
      for (const { item } of chunk) deps.acknowledged?.forget(item);
      going.push(...chunk);
      continue;
    }
    for (const event of chunk) {
      const removed = await deps.store.remove(event.item, deps.owner);
      deps.acknowledged?.forget(event.item);
      if (removed) {
        going.push(event);
        continue;
      }
      summary.busy += 1;
      deps.log.warn('sent, but the item was claimed by another invocation meanwhile', {
        entity: event.item.entity,
        id: event.item.id,
        eventId: event.item.eventId,
      });
    }
  }
  return going;
}

/** Gives claims back at once (a move to the same status releases it), so the next drain need not wait for them to run out. */
async function release(run: DrainRun, events: readonly { item: ParkedItem }[]): Promise<void> {
  for (const { item } of events) await run.deps.store.setStatus(item, 'RETRIABLE', 'RETRIABLE', {}, run.deps.owner);
}

function claimWindow({ deps, policy }: DrainRun): [string, string] {
  const now = deps.now();
  return [now.toISOString(), new Date(now.getTime() + policy.claimMs).toISOString()];
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
