import { InMemoryCheckpointStore } from '../../../lib/checkpoint';
import { InMemoryFallbackStore } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { type PollRequest, pollEntity } from '../../../lib/poller';
import { backfillCursorKey, countWindow, cutAtWindowEnd, parseBackfill } from '../../../lib/poller/backfill';
import { BadRequestError } from '../../../lib/errors';
import { InMemoryPublisher } from '../../../lib/publish';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import { InMemorySource, type SourceEntry } from '../../../lib/source';
import { toChangeRecord } from '../../../lib/change/change-record';
import { Simulator } from '../../../local/simulator';
import { parseCdcQuery } from '../../../local/simulator/cdc-query';
import { schemaFile } from '../../helpers/schemas';

const ENTITY = 'customer';

function rig(faults: Record<string, number> = { tieRate: 0.4 }) {
  const sim = new Simulator({ seed: 19, faults });
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const publisher = new InMemoryPublisher();
  const checkpoints = new InMemoryCheckpointStore();
  const source = new InMemorySource(
    ({ entity, updatedSince, pageToken, limit }) =>
      sim.readPage(
        parseCdcQuery(
          new URLSearchParams({
            entity,
            updatedSince,
            limit: String(limit),
            ...(pageToken === null ? {} : { pageToken }),
          }),
        ),
      ),
    { pageLimit: 7 },
  );
  const deps = {
    source,
    checkpoints,
    publisher,
    fallback: new InMemoryFallbackStore(),
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 })),
    log: createLogger({}, () => undefined),
  };
  const run = (runId: string, more: Partial<PollRequest> = {}) =>
    pollEntity(deps, {
      entity: ENTITY,
      topic: 'cdc.customer',
      schemaName: 'cdc.customer',
      compression: 'none',
      runId,
      leaseMs: 60_000,
      limits: { maxPages: 10_000, maxConsecutiveEmptyPages: 5 },
      outOfTime: () => false,
      ...more,
    });
  const records = () => sim.state([ENTITY]).entities[ENTITY]!.records;
  const sentKeys = () => publisher.sent.map((s) => `${s.message.key}@${String(s.message.headers['cdc-event-id'])}`);
  return { sim, source, publisher, checkpoints, run, records, sentKeys };
}

/** A window over the middle third of the source's records, by time. */
function middleWindow(times: string[]): { from: string; to: string } {
  const sorted = [...times].sort();
  return { from: sorted[Math.floor(sorted.length / 3)]!, to: sorted[Math.floor((2 * sorted.length) / 3)]! };
}

describe('a bounded backfill', () => {
  it('publishes exactly the changes with from <= updatedAt < to, once, and leaves the live checkpoint as it was', async () => {
    const r = rig();
    r.sim.generate(150, [ENTITY]);
    const live = await r.run('live');
    const checkpoint = await r.checkpoints.load(ENTITY);
    const sentBefore = r.publisher.sent.length;
    const window = middleWindow(r.records().map((x) => x.updatedAt));
    const inWindow = r.records().filter((x) => x.updatedAt >= window.from && x.updatedAt < window.to);
    expect(inWindow.length).toBeGreaterThan(10);

    const backfill = await r.run('backfill-1', { backfill: window });
    expect(backfill).toMatchObject({ stoppedBecause: 'done', window, published: inWindow.length, parked: {} });
    // Each record of the window once, in its version of the window (its eventId), nothing else.
    expect(r.sentKeys().slice(sentBefore).sort()).toEqual(
      inWindow.map((x) => `${x.id}@${toChangeRecord(ENTITY, x as never).eventId}`).sort(),
    );
    // The same eventIds as the live run's: downstream keeps one row each.
    const liveIds = new Set(r.sentKeys().slice(0, sentBefore));
    expect(
      r
        .sentKeys()
        .slice(sentBefore)
        .filter((k) => !liveIds.has(k)),
    ).toEqual([]);
    expect(await r.checkpoints.load(ENTITY)).toEqual(checkpoint);
    expect(live.stoppedBecause).toBe('done');
    // Its cursor is its own, and both leases are given back.
    expect((await r.checkpoints.load(backfillCursorKey(ENTITY, window)))?.savedBy).toBe('backfill-1');
    expect(await r.checkpoints.leaseOf(ENTITY)).toBeUndefined();
    expect(await r.checkpoints.leaseOf(backfillCursorKey(ENTITY, window))).toBeUndefined();
  });

  it('stopped by its time budget, resumes from its own cursor on the next run of the same window; a finished window publishes nothing more', async () => {
    const r = rig();
    r.sim.generate(200, [ENTITY]);
    const window = middleWindow(r.records().map((x) => x.updatedAt));
    const inWindow = r.records().filter((x) => x.updatedAt >= window.from && x.updatedAt < window.to);
    const runs = [];
    for (let n = 0; n < 50; n += 1) {
      let pages = 0;
      const summary = await r.run(`backfill-${n}`, { backfill: window, outOfTime: () => pages++ >= 2 });
      runs.push(summary);
      if (summary.stoppedBecause === 'done') break;
    }
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.slice(0, -1).every((x) => x.stoppedBecause === 'time budget')).toBe(true);
    expect(r.sentKeys().sort()).toEqual([...new Set(r.sentKeys())].sort());
    expect(r.sentKeys().sort()).toEqual(
      inWindow.map((x) => `${x.id}@${toChangeRecord(ENTITY, x as never).eventId}`).sort(),
    );
    const rerun = await r.run('backfill-again', { backfill: window });
    expect(rerun).toMatchObject({ stoppedBecause: 'done', published: 0 });
    // The live checkpoint was never written.
    expect(await r.checkpoints.load(ENTITY)).toBeUndefined();
  });

  it("never reads beside a live run: while one holds the entity a backfill stops before reading, and a second backfill of a window stops at the window's own lease", async () => {
    const r = rig();
    r.sim.generate(40, [ENTITY]);
    const window = middleWindow(r.records().map((x) => x.updatedAt));
    const until = new Date(Date.now() + 60_000);
    await r.checkpoints.acquireLease(ENTITY, 'live-run', new Date(), until);
    const served = r.sim.state([ENTITY]).counters.requestsServed;
    expect(await r.run('backfill', { backfill: window })).toMatchObject({
      stoppedBecause: 'another run is polling',
      pages: 0,
      published: 0,
    });
    expect(r.sim.state([ENTITY]).counters.requestsServed).toBe(served);
    // It gave its window's lease back: the next try of the window is not locked out.
    expect(await r.checkpoints.leaseOf(backfillCursorKey(ENTITY, window))).toBeUndefined();
    await r.checkpoints.releaseLease(ENTITY, 'live-run');

    // A second backfill of the same window stops at the window's own lease.
    await r.checkpoints.acquireLease(backfillCursorKey(ENTITY, window), 'other-backfill', new Date(), until);
    expect((await r.run('backfill-2', { backfill: window })).stoppedBecause).toBe('another run is polling');
    expect(await r.checkpoints.leaseOf(ENTITY)).toBeUndefined();
  });
});

describe('the window end', () => {
  const change = (id: string, updatedAt: string): SourceEntry => ({
    kind: 'change',
    change: { id, op: 'UPSERT', updatedAt, data: {} },
  });
  const malformed: SourceEntry = { kind: 'malformed', problem: 'no id', raw: {}, reason: 'MALFORMED_EVENT' };
  const window = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:00:02.000Z' };

  it('cuts a page at the first change at or after `to` (the source sorts by updatedAt), keeping what comes before it', () => {
    const a = change('a', '2026-01-01T00:00:01.000Z');
    const b = change('b', '2026-01-01T00:00:02.000Z');
    const c = change('c', '2026-01-01T00:00:03.000Z');
    expect(cutAtWindowEnd([a, malformed, b, malformed, c], window)).toEqual({ entries: [a, malformed], ended: true });
    expect(cutAtWindowEnd([a, malformed], window)).toEqual({ entries: [a, malformed], ended: false });
    expect(cutAtWindowEnd([b], window)).toEqual({ entries: [], ended: true });
  });
});

describe("the poller event's backfill", () => {
  const now = new Date('2026-11-24T12:00:00.000Z');

  it('is two zoned instants, normalised to milliseconds UTC, from before to, to not in the future', () => {
    expect(parseBackfill({ from: '2026-11-24T10:00:00+01:00', to: '2026-11-24T11:00:00Z' }, now)).toEqual({
      from: '2026-11-24T09:00:00.000Z',
      to: '2026-11-24T11:00:00.000Z',
      dryRun: false,
    });
    expect(parseBackfill({ from: '2026-11-24T10:00:00Z', to: '2026-11-24T11:00:00Z', dryRun: true }, now).dryRun).toBe(
      true,
    );
  });

  it.each([
    [null, 'backfill must be an object'],
    [{ from: '2026-11-24T10:00:00', to: '2026-11-24T11:00:00Z' }, 'backfill.from must be an ISO-8601 time with a zone'],
    [{ from: '2026-11-24T10:00:00Z' }, 'backfill.to must be an ISO-8601 time with a zone, got undefined'],
    [{ from: '2026-11-24T11:00:00Z', to: '2026-11-24T10:00:00Z' }, 'must be before backfill.to'],
    [{ from: '2026-11-24T11:00:00Z', to: '2026-11-24T13:00:00Z' }, 'is in the future'],
    [
      { from: '2026-11-24T10:00:00Z', to: '2026-11-24T11:00:00Z', dryRun: 'yes' },
      'backfill.dryRun must be true or false',
    ],
  ])('refuses %j as a bad request, naming the field', (raw, message) => {
    expect(() => parseBackfill(raw, now)).toThrow(BadRequestError);
    expect(() => parseBackfill(raw, now)).toThrow(message);
  });
});

describe('the dry run', () => {
  it('counts the changes, records and malformed entries of the window without a lease, a cursor or a hand-off', async () => {
    const r = rig({ tieRate: 0.4, malformedRate: 0.05 });
    r.sim.generate(120, [ENTITY]);
    const window = middleWindow(r.records().map((x) => x.updatedAt));
    const count = await countWindow(r.source, ENTITY, window, { maxPages: 1000, maxConsecutiveEmptyPages: 5 });
    const inWindow = r.records().filter((x) => x.updatedAt >= window.from && x.updatedAt < window.to);
    expect(count).toMatchObject({
      entity: ENTITY,
      window,
      dryRun: true,
      changes: inWindow.length,
      keys: new Set(inWindow.map((x) => x.id)).size,
      complete: true,
      firstUpdatedAt: inWindow.map((x) => x.updatedAt).sort()[0],
    });
    expect(r.publisher.sent).toEqual([]);
    expect(await r.checkpoints.load(backfillCursorKey(ENTITY, window))).toBeUndefined();
  });

  it('stopped by its time budget before the window ends, says the count is a lower bound', async () => {
    const r = rig();
    r.sim.generate(200, [ENTITY]);
    const window = middleWindow(r.records().map((x) => x.updatedAt));
    let pages = 0;
    const count = await countWindow(r.source, ENTITY, window, {
      maxPages: 1000,
      maxConsecutiveEmptyPages: 5,
      shouldStop: () => pages++ >= 1,
    });
    expect(count).toMatchObject({ pages: 1, complete: false });
    expect(count.changes).toBeLessThan(
      r.records().filter((x) => x.updatedAt >= window.from && x.updatedAt < window.to).length,
    );
  });
});
