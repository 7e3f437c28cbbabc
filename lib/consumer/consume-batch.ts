import { createHash } from 'node:crypto';
import type { MSKEvent } from 'aws-lambda';
import { BadRequestError } from '../errors';
import type { FallbackStore, ParkedEvent } from '../fallback';
import type { Logger } from '../log';
import { deadLetterKey, rawObjectKey, rawObjectPrefix } from '../raw';
import { sleep } from '../retry';
import type { GlueAvroSerde } from '../serde';
import { fromMskRecord, type KafkaRecord } from './msk-record';
import { type PartitionMark, PartitionMarkConflictError, type PartitionMarks } from './partition-marks';
import { type DecodeScope, type Poison, type RawObjectBody, rawObjectBody } from './raw-object';
import type { RawStore } from './raw-store';
import { UnknownVersions } from './unknown-versions';

export interface ConsumeDependencies {
  readonly serde: GlueAvroSerde;
  readonly raw: RawStore;
  readonly fallback: FallbackStore;
  /**
   * How far the raw bucket holds each partition, so a record re-delivered (other batch boundaries,
   * a consumer killed after its write) is not written twice. Null for the consumer redrive, which
   * writes records the marks have passed on purpose: dead letters, and batches given up on.
   */
  readonly marks: PartitionMarks | null;
  readonly log: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export interface ConsumeOptions {
  /** The entity of a topic, or undefined for a topic that is not configured. */
  readonly entityOf: (topic: string) => string | undefined;
  readonly gzip: boolean;
  /** Decode attempts for a record whose schema version Glue does not know (it may be eventually consistent). */
  readonly decodeAttempts: number;
}

export interface ConsumeSummary {
  records: number;
  partitions: number;
  objects: number;
  rows: number;
  deadLettered: number;
  /** Records the raw bucket already held (at or below their partition's mark): skipped. */
  redelivered: number;
  bytes: number;
  /** The same per entity (an MSK mapping reads one topic), with dead letters by reason and the newest record's Kafka time (ms). */
  byEntity: Record<string, EntityConsumeSummary>;
}

export interface EntityConsumeSummary {
  records: number;
  objects: number;
  rows: number;
  redelivered: number;
  deadLettered: Record<string, number>;
  newestRecordAt: number;
}

/**
 * One MSK batch: every record decoded (writer schema by version id), flattened, and written as
 * one JSON-lines object per topic-partition under a key made of its offsets. Poison records go
 * to the dead-letter prefix and the fallback table (AMBIGUOUS) and the rest is written. A
 * transient failure (S3, Glue unreachable) throws, so the whole batch is redelivered and the
 * same objects are overwritten: nothing is acknowledged that is not durably written.
 */
export async function consumeBatch(
  event: MSKEvent,
  deps: ConsumeDependencies,
  options: ConsumeOptions,
): Promise<ConsumeSummary> {
  if (event?.eventSource !== 'aws:kafka' || typeof event.records !== 'object' || event.records === null) {
    throw new BadRequestError('consumer expects an MSK event (eventSource "aws:kafka" with records)');
  }
  const scope: DecodeScope = {
    serde: deps.serde,
    plans: new Map(),
    unknown: new UnknownVersions(options.decodeAttempts, deps.sleep ?? sleep),
  };
  const batches = Object.values(event.records).filter((records) => records.length > 0);
  // Every partition settles before the invocation ends, failed or not: a write still in flight
  // after the handler returned would race the re-delivery of its own batch.
  const settled = await Promise.allSettled(
    batches.map((records) =>
      writePartition(
        records.map(fromMskRecord).sort((a, b) => a.offset - b.offset),
        deps,
        options,
        scope,
      ),
    ),
  );
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const results = settled.map((s) => (s as PromiseFulfilledResult<PartitionResult>).value);
  const byEntity: Record<string, EntityConsumeSummary> = {};
  for (const r of results) {
    const e = (byEntity[r.entity] ??= {
      records: 0,
      objects: 0,
      rows: 0,
      redelivered: 0,
      deadLettered: {},
      newestRecordAt: 0,
    });
    e.records += r.records;
    e.redelivered += r.redelivered;
    e.objects += r.objects;
    e.rows += r.rows;
    for (const [reason, n] of Object.entries(r.deadLetteredBy))
      e.deadLettered[reason] = (e.deadLettered[reason] ?? 0) + n;
    e.newestRecordAt = Math.max(e.newestRecordAt, r.newestRecordAt);
  }
  return {
    records: results.reduce((n, r) => n + r.records, 0),
    partitions: results.length,
    objects: results.reduce((n, r) => n + r.objects, 0),
    rows: results.reduce((n, r) => n + r.rows, 0),
    deadLettered: results.reduce((n, r) => n + r.deadLettered, 0),
    redelivered: results.reduce((n, r) => n + r.redelivered, 0),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    byEntity,
  };
}

/** One partition's part of the summary. */
interface PartitionResult {
  entity: string;
  records: number;
  objects: number;
  rows: number;
  deadLettered: number;
  deadLetteredBy: Record<string, number>;
  redelivered: number;
  bytes: number;
  newestRecordAt: number;
}

/**
 * Exactly once per (topic, partition, offset) in raw/: the records at or below the partition's
 * mark are skipped; the rest is written as one object named by its first and last offsets, then
 * the mark moves (conditionally) to the last. A consumer killed between the write and the mark
 * leaves an object the re-delivery replaces: the re-delivered batch starts at the same record, so
 * its object shares the prefix, and the other objects under it are deleted once the mark has
 * moved (or, killed after the mark moved, when the re-delivery finds its records below the mark).
 *
 * Almost every batch starts just past its mark, so the mark and the objects under the batch's
 * prefix are read while the records become the object (two round trips off the critical path,
 * issue 15); a batch that brings records again is then built again without them. Those objects
 * were left by attempts before this one, so listing them before the write finds the same ones.
 */
async function writePartition(
  all: KafkaRecord[],
  deps: ConsumeDependencies,
  options: ConsumeOptions,
  scope: DecodeScope,
): Promise<PartitionResult> {
  const first = all[0]!;
  const entity = options.entityOf(first.topic);
  // The event source mapping only subscribes configured topics: anything else is a deployment
  // error. Failing keeps the records on Kafka until the configuration is fixed.
  if (entity === undefined)
    throw new BadRequestError(`topic ${first.topic} belongs to no configured entity (CDC_ENTITIES, CDC_TOPIC_PREFIX)`);
  const marked = observed(markOf(all, deps, entity));
  const earlier = deps.marks === null ? undefined : observed(deps.raw.list(prefixOf(entity, first)));
  try {
    let built: RawObjectBody | undefined;
    try {
      built = await rawObjectBody(all, scope, options.gzip);
    } catch (error) {
      // Decoded ahead of the mark: a failure on records the raw bucket already holds is not the batch's.
      if ((await marked).from <= first.offset) throw error;
    }
    const { mark, from } = await marked;
    if (from <= first.offset) return await commitPartition(entity, all, all, mark, built!, earlier, deps, options);
    return await writeRedelivered(entity, all, mark, from, deps, options, scope);
  } finally {
    // Nothing of this partition is left in flight when the invocation ends.
    await Promise.allSettled([marked, earlier]);
  }
}

/** A batch that brings records the raw bucket holds (at or below the mark): the rest only is written. */
async function writeRedelivered(
  entity: string,
  all: KafkaRecord[],
  mark: PartitionMark | undefined,
  from: number,
  deps: ConsumeDependencies,
  options: ConsumeOptions,
  scope: DecodeScope,
): Promise<PartitionResult> {
  const records = all.filter((r) => r.offset >= from);
  // Killed after its mark moved, a consumer may have left objects its mark does not name.
  if (mark?.object) await removeOthers(deps, await deps.raw.list(prefixOfObject(mark.object)), mark.object);
  if (records.length === 0) return partitionResult(entity, all, records, null, { body: null, rows: 0, poison: [] });
  const earlier = deps.marks === null ? undefined : observed(deps.raw.list(prefixOf(entity, records[0]!)));
  try {
    const built = await rawObjectBody(records, scope, options.gzip);
    return await commitPartition(entity, all, records, mark, built, earlier, deps, options);
  } finally {
    await Promise.allSettled([earlier]);
  }
}

/** The object written, poison dead-lettered, then the mark moved and the objects of earlier attempts removed. */
async function commitPartition(
  entity: string,
  all: readonly KafkaRecord[],
  records: readonly KafkaRecord[],
  mark: PartitionMark | undefined,
  built: RawObjectBody,
  earlier: Promise<string[]> | undefined,
  deps: ConsumeDependencies,
  options: ConsumeOptions,
): Promise<PartitionResult> {
  const { topic, partition } = records[0]!;
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const object =
    built.body !== null
      ? rawObjectKey(entity, topic, partition, first.offset, last.offset, first.timestamp, options.gzip)
      : null;
  if (object !== null && built.body !== null)
    await deps.raw.put(object, built.body, options.gzip ? 'application/gzip' : 'application/x-ndjson');
  if (built.poison.length > 0) await deadLetter(entity, built.poison, deps, options);
  if (deps.marks !== null) {
    const next = { offset: last.offset, timestamp: last.timestamp, key: last.key ?? null, object };
    if (!(await deps.marks.advance(topic, partition, mark, next)))
      throw new PartitionMarkConflictError(topic, partition, mark?.offset, last.offset);
    await removeOthers(deps, (await earlier) ?? [], object);
  }
  return partitionResult(entity, all, records, object, built);
}

function partitionResult(
  entity: string,
  all: readonly KafkaRecord[],
  records: readonly KafkaRecord[],
  object: string | null,
  built: RawObjectBody,
): PartitionResult {
  const deadLetteredBy: Record<string, number> = {};
  for (const p of built.poison) deadLetteredBy[p.reason] = (deadLetteredBy[p.reason] ?? 0) + 1;
  return {
    entity,
    records: all.length,
    objects: object !== null ? 1 : 0,
    rows: built.rows,
    deadLettered: built.poison.length,
    deadLetteredBy,
    redelivered: all.length - records.length,
    bytes: built.body?.length ?? 0,
    newestRecordAt: all.reduce((newest, r) => Math.max(newest, r.timestamp), -Infinity),
  };
}

/** The prefix every object of a partition starting at this record shares. */
function prefixOf(entity: string, first: KafkaRecord): string {
  return rawObjectPrefix(entity, first.topic, first.partition, first.offset, first.timestamp);
}

/** The promise, with its rejection marked as handled: it is awaited later, or only settled. */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * The partition's mark (what its next move is conditional on), and the first offset to write:
 * every record with no marks (the redrive), none yet, or a partition that was deleted and created
 * again, whose offsets start over. That shows as the
 * record at the mark's offset being another record (timestamp or key), or a record below it being
 * younger than the mark's. Both are judged on Kafka timestamps, which producers set: a false alarm
 * only writes re-delivered records again (a duplicate, never a loss).
 */
async function markOf(
  records: readonly KafkaRecord[],
  deps: ConsumeDependencies,
  entity: string,
): Promise<{ mark: PartitionMark | undefined; from: number }> {
  const { topic, partition } = records[0]!;
  const mark = await deps.marks?.get(topic, partition);
  if (mark === undefined) return { mark, from: 0 };
  const other = records.find((r) =>
    r.offset < mark.offset
      ? r.timestamp > mark.timestamp
      : r.offset === mark.offset && (r.timestamp !== mark.timestamp || (r.key ?? null) !== mark.key),
  );
  if (other === undefined) return { mark, from: mark.offset + 1 };
  deps.log.warn('partition created again: its offsets start over, every record of the batch is written', {
    entity,
    topic,
    partition,
    mark: mark.offset,
    offset: other.offset,
  });
  return { mark, from: 0 };
}

/** `raw/…/{topic}-{partition}-{first}-{last}.jsonl[.gz]` → the prefix up to `{first}-`. */
function prefixOfObject(object: string): string {
  return object.slice(0, object.lastIndexOf('-') + 1);
}

/** Deletes the listed objects but `keep`: written for the same records by an attempt that did not move the mark. */
async function removeOthers(deps: ConsumeDependencies, keys: readonly string[], keep: string | null): Promise<void> {
  for (const key of keys) {
    if (key === keep) continue;
    await deps.raw.delete(key);
    deps.log.warn('raw object of an earlier attempt replaced', { object: key, by: keep });
  }
}

/** Raw bytes + reason + origin to S3, and an AMBIGUOUS item in the fallback table pointing at it. */
async function deadLetter(
  entity: string,
  poison: Poison[],
  deps: ConsumeDependencies,
  options: ConsumeOptions,
): Promise<void> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const parked: ParkedEvent[] = [];
  for (const { record, reason, error } of poison) {
    const key = deadLetterKey(entity, record.topic, record.partition, record.offset);
    const origin = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: record.key ?? null,
      headers: record.headers,
    };
    await deps.raw.put(
      key,
      Buffer.from(
        JSON.stringify(
          { reason, error, ...origin, valueBase64: record.value.toString('base64'), deadLetteredAt: now },
          null,
          2,
        ),
      ),
      'application/json',
    );
    const headerEventId = record.headers['cdc-event-id'];
    parked.push({
      entity,
      id: record.key ?? `${record.topic}-${record.partition}-${record.offset}`,
      updatedAt: new Date(record.timestamp).toISOString(),
      eventId:
        headerEventId !== undefined && /^[0-9a-f]{32}$/.test(headerEventId)
          ? headerEventId
          : createHash('sha256')
              .update(`${record.topic}\u0000${record.partition}\u0000${record.offset}`)
              .digest('hex')
              .slice(0, 32),
      payload: { source: 'consumer', ...origin, deadLetter: { bucket: deps.raw.bucket, key } },
      status: 'AMBIGUOUS',
      reason,
      error,
      attempts: reason === 'SCHEMA_NOT_FOUND' ? options.decodeAttempts : 1,
      firstSeenAt: now,
      nextAttemptAt: now,
    });
    deps.log.warn('poison record dead-lettered', {
      entity,
      reason,
      error,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      deadLetter: key,
    });
  }
  await deps.fallback.park(parked);
}
