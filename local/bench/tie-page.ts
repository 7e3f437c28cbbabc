/**
 * A page inside a timestamp tie vs a tie-free page, CPU only: the poller's per-page position
 * work (planPage, which asks the checkpoint what it has seen, then advance) on 500 customer
 * changes, once at a timestamp whose checkpoint already lists 5,000 eventIds and once at
 * timestamps of their own. Kafka and the fallback table are left out; the serde is the real one
 * over an in-memory registry. A tie page may cost at most 2× a tie-free one: as throughputs, the
 * tie page's events/s is at least 0.5× the tie-free page's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toChangeRecord } from '../../lib/change/change-record';
import { advance, type Lookback, type Position } from '../../lib/checkpoint/position';
import { planPage, type PlanContext } from '../../lib/poller/page-plan';
import { InMemorySchemaRegistry } from '../../lib/registry/in-memory-registry';
import { SchemaCache } from '../../lib/registry/schema-cache';
import { GlueAvroSerde } from '../../lib/serde/glue-avro-serde';
import type { SourceEntry } from '../../lib/source';
import { ENTITY_MODELS } from '../simulator/entities';
import { createRandom } from '../simulator/random';
import { measurePair, printRow } from './measure';
import type { BenchRow } from './results-table';

const PAGE = 500;
const TIE = 5000;
const ENTITY = 'customer';
const SCHEMA = 'cdc.customer';
const TIE_AT = '2026-11-24T10:00:00.000Z';
/** What the poller passes to advance when no lookback is configured (maxCheckpointTieIds' default). */
const LOOKBACK: Lookback = { lookbackMs: 0, maxIds: 8000 };

/** `count` customer changes from the simulator's model, ids from `first` on, stamped by `updatedAt(n)`. */
function changes(first: number, count: number, updatedAt: (n: number) => string): SourceEntry[] {
  const random = createRandom(7, 'tie-page');
  return Array.from({ length: count }, (_, k) => {
    const id = `c-${String(first + k).padStart(7, '0')}`;
    const data = ENTITY_MODELS.customer.create({ id, nowMs: Date.parse(TIE_AT), random, parent: null });
    return { kind: 'change', change: { id, op: 'UPSERT', updatedAt: updatedAt(k), data } };
  });
}

const eventIds = (entries: readonly SourceEntry[]): string[] =>
  entries.flatMap((e) => (e.kind === 'change' ? [toChangeRecord(ENTITY, e.change).eventId] : []));

/** One page as pollLeased handles it between fetching and handing off: plan, then the next position. */
async function positionPage(entries: readonly SourceEntry[], serde: GlueAvroSerde, ctx: PlanContext) {
  const plan = await planPage(entries, serde, ctx);
  const next = advance(
    ctx.position,
    plan.changes.map((c) => ({ updatedAt: c.updatedAt, eventId: c.eventId, handedOff: true })),
    LOOKBACK,
  );
  return { published: plan.publish.length, duplicates: plan.duplicates, next };
}

export async function benchTiePage(): Promise<BenchRow> {
  const registry = new InMemorySchemaRegistry();
  registry.seed(SCHEMA, readFileSync(path.join(__dirname, '../../schemas/customer.avsc'), 'utf8'));
  const serde = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 3_600_000, maxEntries: 100 }));
  const base: Omit<PlanContext, 'position'> = {
    entity: ENTITY,
    schemaName: SCHEMA,
    compression: 'none',
    retriableKeys: new Set<string>(),
    now: TIE_AT,
  };

  // Inside the tie: the checkpoint lists the tie's first 5,000 eventIds; the page holds its next 500.
  const tied: Position = { updatedAt: TIE_AT, eventIdsAtUpdatedAt: eventIds(changes(0, TIE, () => TIE_AT)) };
  const tiePage = changes(TIE, PAGE, () => TIE_AT);
  // Tie-free: the same changes, one millisecond apart, after a checkpoint with one id at its timestamp.
  const single: Position = { updatedAt: TIE_AT, eventIdsAtUpdatedAt: eventIds(changes(0, 1, () => TIE_AT)) };
  const freePage = changes(TIE, PAGE, (k) => new Date(Date.parse(TIE_AT) + 1 + k).toISOString());
  const tieCtx: PlanContext = { ...base, position: tied };
  const freeCtx: PlanContext = { ...base, position: single };

  // Same outcomes on both pages, so the two figures time the same work but for the tie.
  for (const [entries, ctx, tie] of [
    [tiePage, tieCtx, TIE + PAGE],
    [freePage, freeCtx, 1],
  ] as const) {
    const { published, duplicates, next } = await positionPage(entries, serde, ctx);
    if (published !== PAGE || duplicates !== 0 || next.eventIdsAtUpdatedAt.length !== tie)
      throw new Error(`tie-page bench: ${published} published, ${duplicates} duplicates, tie of ${tie}`);
  }

  const [free, tie] = await measurePair(
    { name: 'tie-free page', op: () => positionPage(freePage, serde, freeCtx) },
    { name: 'tie page', op: () => positionPage(tiePage, serde, tieCtx) },
    2,
  );
  const row: BenchRow = {
    stage: `poller positions: page of ${PAGE} inside a ${TIE.toLocaleString('en-US')}-id timestamp tie (plan + advance)`,
    figure: tie.opsPerSecond * PAGE,
    unit: 'events/s',
    baseline: { name: `tie-free page of ${PAGE}, same changes`, figure: free.opsPerSecond * PAGE },
    target: { kind: 'ratio at least', value: 0.5 },
  };
  console.log('\npoller positions in a timestamp tie (CPU only: plan + advance, no Kafka)');
  printRow(row, `a tie page costs ${(free.opsPerSecond / tie.opsPerSecond).toFixed(2)}× a tie-free page (target ≤ 2×)`);
  return row;
}
