import { createHash } from 'node:crypto';
import type { MSKEvent } from 'aws-lambda';
import { BadRequestError } from '../errors';
import type { FallbackStore, ParkedEvent, ParkReason } from '../fallback';
import type { Logger } from '../log';
import {
  columnPlan,
  ColumnPlanError,
  type ColumnPlan,
  deadLetterKey,
  flattenChange,
  jsonLines,
  rawObjectKey,
} from '../raw';
import { SchemaNotFoundError } from '../registry';
import { sleep } from '../retry';
import { type GlueAvroSerde, UndecodableMessageError } from '../serde';
import { fromMskRecord, type KafkaRecord } from './msk-record';
import type { RawStore } from './raw-store';
import { UnknownVersions } from './unknown-versions';

export interface ConsumeDependencies {
  readonly serde: GlueAvroSerde;
  readonly raw: RawStore;
  readonly fallback: FallbackStore;
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
  bytes: number;
  /** The same per entity (an MSK mapping reads one topic), with dead letters by reason and the newest record's Kafka time (ms). */
  byEntity: Record<string, EntityConsumeSummary>;
}

export interface EntityConsumeSummary {
  records: number;
  objects: number;
  rows: number;
  deadLettered: Record<string, number>;
  newestRecordAt: number;
}

interface Poison {
  readonly record: KafkaRecord;
  readonly reason: ParkReason;
  readonly error: string;
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
  const plans = new Map<string, ColumnPlan>();
  const unknown = new UnknownVersions(options.decodeAttempts, deps.sleep ?? sleep);
  const batches = Object.values(event.records).filter((records) => records.length > 0);
  const results = await Promise.all(
    batches.map((records) =>
      writePartition(
        records.map(fromMskRecord).sort((a, b) => a.offset - b.offset),
        deps,
        options,
        plans,
        unknown,
      ),
    ),
  );
  const byEntity: Record<string, EntityConsumeSummary> = {};
  for (const r of results) {
    const e = (byEntity[r.entity] ??= { records: 0, objects: 0, rows: 0, deadLettered: {}, newestRecordAt: 0 });
    e.records += r.records;
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
  bytes: number;
  newestRecordAt: number;
}

async function writePartition(
  records: KafkaRecord[],
  deps: ConsumeDependencies,
  options: ConsumeOptions,
  plans: Map<string, ColumnPlan>,
  unknown: UnknownVersions,
): Promise<PartitionResult> {
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const entity = options.entityOf(first.topic);
  // The event source mapping only subscribes configured topics: anything else is a deployment
  // error. Failing keeps the records on Kafka until the configuration is fixed.
  if (entity === undefined)
    throw new BadRequestError(`topic ${first.topic} belongs to no configured entity (CDC_ENTITIES, CDC_TOPIC_PREFIX)`);
  const rows: Record<string, unknown>[] = [];
  const poison: Poison[] = [];
  for (const record of records) {
    const decoded = await decode(record, deps, unknown);
    if ('reason' in decoded) {
      poison.push(decoded);
      continue;
    }
    let plan = plans.get(decoded.schemaVersionId);
    if (plan === undefined) {
      try {
        plan = columnPlan(decoded.definition);
      } catch (error) {
        if (!(error instanceof ColumnPlanError)) throw error;
        poison.push({
          record,
          reason: 'UNDECODABLE',
          error: `schema version ${decoded.schemaVersionId} cannot be flattened: ${error.message}`,
        });
        continue;
      }
      plans.set(decoded.schemaVersionId, plan);
    }
    rows.push(flattenChange(decoded.value, decoded.schemaVersionId, record, plan));
  }
  let bytes = 0;
  if (rows.length > 0) {
    const body = await jsonLines(rows, options.gzip);
    await deps.raw.put(
      rawObjectKey(entity, first.topic, first.partition, first.offset, last.offset, first.timestamp, options.gzip),
      body,
      options.gzip ? 'application/gzip' : 'application/x-ndjson',
    );
    bytes = body.length;
  }
  if (poison.length > 0) await deadLetter(entity, poison, deps, options);
  const deadLetteredBy: Record<string, number> = {};
  for (const p of poison) deadLetteredBy[p.reason] = (deadLetteredBy[p.reason] ?? 0) + 1;
  return {
    entity,
    records: records.length,
    objects: rows.length > 0 ? 1 : 0,
    rows: rows.length,
    deadLettered: poison.length,
    deadLetteredBy,
    bytes,
    newestRecordAt: Math.max(...records.map((r) => r.timestamp)),
  };
}

type Decoded = { value: Record<string, unknown>; schemaVersionId: string; definition: string } | Poison;

async function decode(record: KafkaRecord, deps: ConsumeDependencies, unknown: UnknownVersions): Promise<Decoded> {
  const miss = await unknown.missOf(record.value);
  if (miss !== undefined) return { record, reason: 'SCHEMA_NOT_FOUND', error: miss };
  try {
    const decoded = await deps.serde.decode(record.value);
    return { value: decoded.value, schemaVersionId: decoded.schemaVersionId, definition: decoded.definition };
  } catch (error) {
    // Bytes that do not decode never will: poison at once.
    if (error instanceof UndecodableMessageError) return { record, reason: 'UNDECODABLE', error: error.message };
    // An unknown version may be Glue catching up: asked again, once for all records of the version.
    if (error instanceof SchemaNotFoundError) {
      const stillMissing = await unknown.settle(record.value, error, () => versionExists(record, deps));
      if (stillMissing !== undefined) return { record, reason: 'SCHEMA_NOT_FOUND', error: stillMissing };
      return decode(record, deps, unknown);
    }
    // Glue unreachable with nothing cached, throttling, …: transient, the batch is redelivered.
    throw error;
  }
}

/** Resolves once the record's writer version is known; a body that then fails to decode still proves the version exists. */
async function versionExists(record: KafkaRecord, deps: ConsumeDependencies): Promise<void> {
  try {
    await deps.serde.decode(record.value);
  } catch (error) {
    if (!(error instanceof UndecodableMessageError)) throw error;
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
