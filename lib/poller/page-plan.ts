import { createHash } from 'node:crypto';
import { type ChangeRecord, toChangeRecord } from '../change/change-record';
import { jsonText } from '../change/json-text';
import { handedOffLookup, type Position } from '../checkpoint';
import type { ParkedEvent, ParkReason } from '../fallback';
import { SchemaNotFoundError } from '../registry';
import { type GlueAvroSerde, SchemaValidationError } from '../serde';
import type { FrameCompression } from '../serde/glue-frame';
import type { SourceEntry } from '../source';
import type { KeySet } from './parked-keys';

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
  /** Changes behind the checkpoint's watermark not handed off before (late commits, found by the lookback). */
  readonly lateChanges: number;
  /** Changes behind the watermark that the checkpoint has no record of (past its window's bound): delivered again. */
  readonly redelivered: number;
  /** Every change of the page in source order (published or parked), for the checkpoint. */
  readonly changes: ChangeRecord[];
}

export interface PlanContext {
  readonly entity: string;
  readonly schemaName: string;
  readonly compression: FrameCompression;
  readonly position: Position;
  /** Keys with RETRIABLE events parked: newer events of these keys queue behind them. */
  readonly retriableKeys: Pick<KeySet, 'has'>;
  readonly now: string;
}

/**
 * Sorts a page's entries: duplicates of what the checkpoint already covers are skipped (late
 * ones, behind its watermark, counted and handed off like any other),
 * malformed entries and records that fail the schema are parked AMBIGUOUS with the reason,
 * a key with RETRIABLE events parked gets its newer events parked behind them, the rest is
 * encoded for Kafka. Glue being unreachable is thrown: the run stops before the checkpoint.
 */
export async function planPage(
  entries: readonly SourceEntry[],
  serde: GlueAvroSerde,
  ctx: PlanContext,
): Promise<PagePlan> {
  const plan = {
    publish: [] as Publishable[],
    park: [] as ParkedEvent[],
    duplicates: 0,
    lateChanges: 0,
    redelivered: 0,
    changes: [] as ChangeRecord[],
  };
  // A page can hold one change (or one malformed entry) twice: it is handed off once.
  const seen = new Set<string>();
  const seenBefore = handedOffLookup(ctx.position);
  for (const entry of inKeyOrder(entries, ctx.entity)) {
    if (entry.kind === 'malformed') {
      const parked = malformedEvent(entry, ctx);
      if (seen.has(parked.eventId)) plan.duplicates += 1;
      else plan.park.push(parked);
      seen.add(parked.eventId);
      continue;
    }
    const record = entry.record;
    const before = seenBefore(record.updatedAt, record.eventId);
    if (before === 'duplicate' || seen.has(record.eventId)) {
      plan.duplicates += 1;
      continue;
    }
    seen.add(record.eventId);
    if (before === 'late') plan.lateChanges += 1;
    if (before === 'unknown') plan.redelivered += 1;
    plan.changes.push(record);
    if (ctx.retriableKeys.has(record.id)) {
      plan.park.push(
        parkedEvent(
          record,
          ctx,
          'RETRIABLE',
          'PARKED_BEHIND_KEY',
          `key ${record.id} has RETRIABLE events parked; this newer event waits behind them`,
        ),
      );
      continue;
    }
    try {
      const encoded = await serde.encode(ctx.schemaName, record, ctx.compression);
      plan.publish.push({ record, bytes: encoded.bytes, schemaVersionId: encoded.schemaVersionId });
    } catch (error) {
      if (error instanceof SchemaValidationError)
        plan.park.push({
          ...parkedEvent(record, ctx, 'AMBIGUOUS', 'SCHEMA_VALIDATION', error.message),
          violations: error.violations,
        });
      else if (error instanceof SchemaNotFoundError)
        plan.park.push(parkedEvent(record, ctx, 'AMBIGUOUS', 'SCHEMA_NOT_FOUND', error.message));
      else throw error;
    }
  }
  return plan;
}

type PlannedEntry =
  | Extract<SourceEntry, { kind: 'malformed' }>
  | { readonly kind: 'change'; readonly record: ChangeRecord };

/**
 * The page's entries with each key's changes in (updatedAt, eventId) order, in the places that
 * key's changes had: a source that lists one id's changes out of order (an update while paging,
 * an unsorted API) must not make Kafka go backwards for the key. Other keys keep their places.
 */
function inKeyOrder(entries: readonly SourceEntry[], entity: string): PlannedEntry[] {
  const planned: PlannedEntry[] = entries.map((e) =>
    e.kind === 'malformed' ? e : { kind: 'change', record: toChangeRecord(entity, e.change) },
  );
  // Only keys seen more than once get a list of their slots (most keys appear once on a page).
  const firstSlotOf = new Map<string, number>();
  const slotsOf = new Map<string, number[]>();
  planned.forEach((e, i) => {
    if (e.kind !== 'change') return;
    const first = firstSlotOf.get(e.record.id);
    if (first === undefined) firstSlotOf.set(e.record.id, i);
    else {
      const slots = slotsOf.get(e.record.id);
      if (slots === undefined) slotsOf.set(e.record.id, [first, i]);
      else slots.push(i);
    }
  });
  if (slotsOf.size === 0) return planned;
  const ordered = [...planned];
  for (const slots of slotsOf.values()) {
    const records = slots
      .map((i) => (planned[i] as Extract<PlannedEntry, { kind: 'change' }>).record)
      .sort(byChangeOrder);
    slots.forEach((slot, k) => {
      ordered[slot] = { kind: 'change', record: records[k]! };
    });
  }
  return ordered;
}

const byChangeOrder = (a: ChangeRecord, b: ChangeRecord): number =>
  a.updatedAt < b.updatedAt
    ? -1
    : a.updatedAt > b.updatedAt
      ? 1
      : a.eventId < b.eventId
        ? -1
        : a.eventId > b.eventId
          ? 1
          : 0;

export function parkedEvent(
  record: ChangeRecord,
  ctx: Pick<PlanContext, 'entity' | 'now'>,
  status: ParkedEvent['status'],
  reason: ParkReason,
  error: string,
): ParkedEvent {
  return {
    entity: ctx.entity,
    id: record.id,
    updatedAt: record.updatedAt,
    eventId: record.eventId,
    payload: record,
    status,
    reason,
    error,
    attempts: 0,
    firstSeenAt: ctx.now,
    nextAttemptAt: ctx.now,
  };
}

/** A malformed entry is kept whole under its id (or a hash of it), so nothing is dropped. */
function malformedEvent(entry: Extract<SourceEntry, { kind: 'malformed' }>, ctx: PlanContext): ParkedEvent {
  const raw = jsonText(entry.raw);
  const digest = createHash('sha256').update(`${ctx.entity}\u0000${raw}`).digest('hex').slice(0, 32);
  return {
    entity: ctx.entity,
    id: entry.id ?? `malformed-${digest.slice(0, 12)}`,
    updatedAt: ctx.now,
    eventId: digest,
    payload: entry.raw,
    status: 'AMBIGUOUS',
    reason: entry.reason,
    error: entry.problem,
    attempts: 0,
    firstSeenAt: ctx.now,
    nextAttemptAt: ctx.now,
  };
}
