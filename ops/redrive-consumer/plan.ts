import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { ParkReason } from '../../lib/fallback';
import { type ParkedItem, parseArchivedItem } from '../../lib/fallback';
import { SchemaNotFoundError } from '../../lib/registry';
import { type GlueAvroSerde, UndecodableMessageError } from '../../lib/serde';
import type { StaleArchive } from '../archive/stale-archive';
import type { FailedBatches } from './failed-batches';
import type { ConsumerItems, DeadLetterObjects } from './ports';
import { eventOfFailedBatch, recordOfDeadLetter } from './saved-records';

export type SkipReason = 'version-unknown' | 'undecodable' | 'unknown-entity' | 'unreadable' | 'already-redriven';

export const SKIP_EXPLANATIONS: Readonly<Record<SkipReason, string>> = {
  'version-unknown':
    'Glue still does not know the writer schema version: register it (or fix the producer), then run again',
  undecodable: 'the saved bytes are not a Glue-framed Avro record of a known version: nothing will ever decode them',
  'unknown-entity': 'the entity is no longer configured for this stage',
  unreadable: 'the dead-letter or on-failure object is missing or is not what the consumer or Lambda writes',
  'already-redriven':
    'archived as stale, and already written to raw from this archive (see its ledger under stale-redriven/)',
};

/**
 * Where a dead letter waits: its AMBIGUOUS item in the fallback table, or, once the retry
 * function gave it up as STALE, a line of a stale archive (the item is gone then).
 */
export type DeadLetterOrigin =
  | { readonly kind: 'table'; readonly item: ParkedItem }
  | { readonly kind: 'archive'; readonly key: string };

/** What names a dead letter in the plan. */
export interface DeadLetterHeader {
  readonly entity: string;
  readonly id: string;
  readonly eventId: string;
  readonly reason: ParkReason;
}

interface PlannedDeadLetterBase {
  readonly origin: DeadLetterOrigin;
  readonly letter: DeadLetterHeader;
  /** s3:// location of the dead-letter object. */
  readonly location: string;
}

export type PlannedDeadLetter =
  | (PlannedDeadLetterBase & { readonly action: 'redrive'; readonly record: MSKRecord })
  | (PlannedDeadLetterBase & { readonly action: 'skip'; readonly why: SkipReason; readonly detail: string });

export type PlannedBatch =
  | {
      readonly key: string;
      readonly location: string;
      readonly action: 'replay';
      readonly event: MSKEvent;
      readonly records: number;
      readonly condition: string;
    }
  | {
      readonly key: string;
      readonly location: string;
      readonly action: 'skip';
      readonly why: SkipReason;
      readonly detail: string;
    };

export interface ConsumerRedrivePlan {
  readonly deadLetters: PlannedDeadLetter[];
  readonly batches: PlannedBatch[];
  readonly toRedrive: number;
  readonly toReplay: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
}

export interface ConsumerRedriveSources {
  readonly parked: Pick<ConsumerItems, 'withStatus' | 'payloadOf'>;
  readonly archive: Pick<StaleArchive, 'archiveKeys' | 'read' | 'readLedger'>;
  readonly deadLetters: DeadLetterObjects;
  readonly failedBatches: Pick<FailedBatches, 'bucket' | 'keys' | 'read'>;
  /** The stage's serde over Glue: whether a saved record's writer version exists now. */
  readonly serde: Pick<GlueAvroSerde, 'decode'>;
}

export interface ConsumerRedriveRequest {
  readonly entities: readonly string[];
  /** Only dead letters of this entity (and no failed batch: those hold any topic's records). */
  readonly entity?: string;
  /** How many fallback items are read at most. */
  readonly limit?: number;
  /** Only stale archives written at or after this time (all when undefined). */
  readonly since?: Date;
}

/** What a redrive would do: each dead letter of the consumer, and each batch in the on-failure destination, without changing anything. */
export async function planConsumerRedrive(
  sources: ConsumerRedriveSources,
  request: ConsumerRedriveRequest,
): Promise<ConsumerRedrivePlan> {
  const deadLetters: PlannedDeadLetter[] = [];
  for (const item of await sources.parked.withStatus('AMBIGUOUS', request.limit ?? 10_000)) {
    if (request.entity !== undefined && item.entity !== request.entity) continue;
    const payload = (await sources.parked.payloadOf(item)) as ConsumerPayload | null;
    if (payload?.source !== 'consumer') continue;
    deadLetters.push(await planDeadLetter({ kind: 'table', item }, item, payload, sources, request));
  }
  deadLetters.push(...(await planArchivedDeadLetters(sources, request)));
  const batches =
    request.entity === undefined
      ? await Promise.all((await sources.failedBatches.keys()).map((key) => planBatch(key, sources.failedBatches)))
      : [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const p of [...deadLetters, ...batches]) if (p.action === 'skip') skipped[p.why] = (skipped[p.why] ?? 0) + 1;
  return {
    deadLetters,
    batches,
    skipped,
    toRedrive: deadLetters.filter((d) => d.action === 'redrive').length,
    toReplay: batches.filter((b) => b.action === 'replay').length,
  };
}

/** The fallback item's payload when the consumer parked it (lib/consumer deadLetter). */
interface ConsumerPayload {
  readonly source: 'consumer';
  readonly deadLetter?: { readonly bucket: string; readonly key: string };
}

/** The consumer's dead letters the retry function archived as STALE, unless this command already wrote them from there. */
async function planArchivedDeadLetters(
  sources: ConsumerRedriveSources,
  request: ConsumerRedriveRequest,
): Promise<PlannedDeadLetter[]> {
  const planned: PlannedDeadLetter[] = [];
  for (const key of await sources.archive.archiveKeys(request.since)) {
    const redriven = (await sources.archive.readLedger(key))?.redriven ?? {};
    for (const line of ((await sources.archive.read(key)) ?? '').split('\n')) {
      const event = line.trim() === '' ? undefined : parseArchivedItem(line);
      if (typeof event !== 'object' || (event.payload as ConsumerPayload | null)?.source !== 'consumer') continue;
      if (request.entity !== undefined && event.entity !== request.entity) continue;
      const origin: DeadLetterOrigin = { kind: 'archive', key };
      const done = redriven[event.eventId];
      planned.push(
        done === undefined
          ? await planDeadLetter(origin, event, event.payload as ConsumerPayload, sources, request)
          : {
              origin,
              letter: event,
              location: locationOf(event.payload as ConsumerPayload),
              action: 'skip',
              why: 'already-redriven',
              detail: `written at ${done.at} by ${done.by}`,
            },
      );
    }
  }
  return planned;
}

function locationOf(payload: ConsumerPayload): string {
  return payload.deadLetter === undefined
    ? '(no dead-letter object)'
    : `s3://${payload.deadLetter.bucket}/${payload.deadLetter.key}`;
}

async function planDeadLetter(
  origin: DeadLetterOrigin,
  header: DeadLetterHeader,
  payload: ConsumerPayload,
  sources: ConsumerRedriveSources,
  request: ConsumerRedriveRequest,
): Promise<PlannedDeadLetter> {
  const letter = payload.deadLetter;
  const location = locationOf(payload);
  const base = {
    origin,
    letter: { entity: header.entity, id: header.id, eventId: header.eventId, reason: header.reason },
    location,
  };
  const skip = (why: SkipReason, detail: string): PlannedDeadLetter => ({ ...base, action: 'skip', why, detail });
  if (!request.entities.includes(header.entity)) return skip('unknown-entity', `entity ${header.entity}`);
  const text = letter === undefined ? undefined : await sources.deadLetters.read(letter.bucket, letter.key);
  if (text === undefined) return skip('unreadable', `no object at ${location}`);
  const record = recordOfDeadLetter(text);
  if (typeof record === 'string') return skip('unreadable', record);
  try {
    await sources.serde.decode(Buffer.from(record.value, 'base64'));
  } catch (error) {
    if (error instanceof SchemaNotFoundError) return skip('version-unknown', error.message);
    if (error instanceof UndecodableMessageError) return skip('undecodable', error.message);
    // Glue unreachable, throttling: the plan cannot be made now.
    throw error;
  }
  return { ...base, action: 'redrive', record };
}

async function planBatch(key: string, failedBatches: ConsumerRedriveSources['failedBatches']): Promise<PlannedBatch> {
  const location = `s3://${failedBatches.bucket}/${key}`;
  const text = await failedBatches.read(key);
  const found = text === undefined ? 'the object is gone' : eventOfFailedBatch(text);
  if (typeof found === 'string') return { key, location, action: 'skip', why: 'unreadable', detail: found };
  const records = Object.values(found.event.records).reduce((n, r) => n + r.length, 0);
  return { key, location, action: 'replay', event: found.event, records, condition: found.condition };
}
