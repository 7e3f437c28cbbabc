import { createHash } from 'node:crypto';
import { type ChangeRecord, toChangeRecord } from '../change/change-record';
import { alreadyHandedOff, type Position } from '../checkpoint';
import type { ParkedEvent, ParkReason } from '../fallback';
import { SchemaNotFoundError } from '../registry';
import { type GlueAvroSerde, SchemaValidationError } from '../serde';
import type { FrameCompression } from '../serde/glue-frame';
import type { SourceEntry } from '../source';

export interface Publishable {
  readonly record: ChangeRecord;
  readonly bytes: Buffer;
  readonly schemaVersionId: string;
}

/** What to do with one page: publish these (in order), park those, skip exact duplicates. */
export interface PagePlan {
  readonly publish: Publishable[];
  readonly park: ParkedEvent[];
  readonly duplicates: number;
  /** Every change of the page in source order (published or parked), for the checkpoint. */
  readonly changes: ChangeRecord[];
}

export interface PlanContext {
  readonly entity: string;
  readonly schemaName: string;
  readonly compression: FrameCompression;
  readonly position: Position;
  /** Keys with RETRIABLE events parked: newer events of these keys queue behind them. */
  readonly retriableKeys: Set<string>;
  readonly now: string;
}

/**
 * Sorts a page's entries: duplicates of what the checkpoint already covers are skipped,
 * malformed entries and records that fail the schema are parked AMBIGUOUS with the reason,
 * a key with RETRIABLE events parked gets its newer events parked behind them, the rest is
 * encoded for Kafka. Glue being unreachable is thrown: the run stops before the checkpoint.
 */
export async function planPage(entries: readonly SourceEntry[], serde: GlueAvroSerde, ctx: PlanContext): Promise<PagePlan> {
  const plan = { publish: [] as Publishable[], park: [] as ParkedEvent[], duplicates: 0, changes: [] as ChangeRecord[] };
  for (const entry of entries) {
    if (entry.kind === 'malformed') {
      plan.park.push(malformedEvent(entry, ctx));
      continue;
    }
    const record = toChangeRecord(ctx.entity, entry.change);
    if (alreadyHandedOff(ctx.position, record.updatedAt, record.eventId)) {
      plan.duplicates += 1;
      continue;
    }
    plan.changes.push(record);
    if (ctx.retriableKeys.has(record.id)) {
      plan.park.push(parkedEvent(record, ctx, 'RETRIABLE', 'PARKED_BEHIND_KEY', `key ${record.id} has RETRIABLE events parked; this newer event waits behind them`));
      continue;
    }
    try {
      const encoded = await serde.encode(ctx.schemaName, record, ctx.compression);
      plan.publish.push({ record, bytes: encoded.bytes, schemaVersionId: encoded.schemaVersionId });
    } catch (error) {
      if (error instanceof SchemaValidationError) plan.park.push({ ...parkedEvent(record, ctx, 'AMBIGUOUS', 'SCHEMA_VALIDATION', error.message), violations: error.violations });
      else if (error instanceof SchemaNotFoundError) plan.park.push(parkedEvent(record, ctx, 'AMBIGUOUS', 'SCHEMA_NOT_FOUND', error.message));
      else throw error;
    }
  }
  return plan;
}

export function parkedEvent(record: ChangeRecord, ctx: Pick<PlanContext, 'entity' | 'now'>, status: ParkedEvent['status'], reason: ParkReason, error: string): ParkedEvent {
  return {
    entity: ctx.entity, id: record.id, updatedAt: record.updatedAt, eventId: record.eventId, payload: record,
    status, reason, error, attempts: 0, firstSeenAt: ctx.now, nextAttemptAt: ctx.now,
  };
}

/** A malformed entry is kept whole under its id (or a hash of it), so nothing is dropped. */
function malformedEvent(entry: Extract<SourceEntry, { kind: 'malformed' }>, ctx: PlanContext): ParkedEvent {
  const raw = JSON.stringify(entry.raw) ?? String(entry.raw);
  const digest = createHash('sha256').update(`${ctx.entity}\u0000${raw}`).digest('hex').slice(0, 32);
  return {
    entity: ctx.entity, id: entry.id ?? `malformed-${digest.slice(0, 12)}`, updatedAt: ctx.now, eventId: digest, payload: entry.raw,
    status: 'AMBIGUOUS', reason: entry.reason, error: entry.problem, attempts: 0, firstSeenAt: ctx.now, nextAttemptAt: ctx.now,
  };
}
