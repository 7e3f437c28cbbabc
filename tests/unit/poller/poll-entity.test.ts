import { InMemoryCheckpointStore } from '../../../lib/checkpoint';
import { type FallbackStatus, InMemoryFallbackStore, type OpenKeys, partitionKey } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { type PollRequest, type PollSummary, pollEntity } from '../../../lib/poller';
import { InMemoryPublisher } from '../../../lib/publish';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import { toChangeRecord } from '../../../lib/change/change-record';
import { InMemorySource, type PageQuery, type Source } from '../../../lib/source';
import { Simulator } from '../../../local/simulator';
import { parseCdcQuery } from '../../../local/simulator/cdc-query';
import { schemaFile } from '../../helpers/schemas';

const ENTITY = 'customer';

interface Rig {
  sim: Simulator;
  publisher: InMemoryPublisher;
  fallback: InMemoryFallbackStore;
  checkpoints: InMemoryCheckpointStore;
  run: (outOfTime?: () => boolean, maxCheckpointTieIds?: number, more?: Partial<PollRequest>) => Promise<PollSummary>;
}

/**
 * The fallback port with its index behind the table, as a DynamoDB GSI may be (it has no
 * consistent reads): `openKeys` sees only what was parked before the last `catchUp()`.
 */
class LaggingIndexFallbackStore extends InMemoryFallbackStore {
  private indexed = 0;

  catchUp(): void {
    this.indexed = this.events.length;
  }

  override async openKeys(entity: string, limit: number): Promise<OpenKeys | undefined> {
    const indexed = this.events.slice(0, this.indexed).filter((e) => e.entity === entity);
    const withStatus = (status: FallbackStatus) => indexed.filter((e) => e.status === status);
    if (withStatus('RETRIABLE').length > limit || withStatus('AMBIGUOUS').length > limit) return undefined;
    const keys = (status: FallbackStatus): Set<string> =>
      new Set(withStatus(status).map((e) => partitionKey(entity, e.id)));
    return { RETRIABLE: keys('RETRIABLE'), AMBIGUOUS: keys('AMBIGUOUS') };
  }
}

interface RigOptions {
  readonly fallback?: InMemoryFallbackStore;
  readonly maxListedParkedItems?: number;
  /** Told of each request to the source, before it is sent. */
  readonly onRequest?: () => void;
}

async function rig(faults: Record<string, number> = {}, seed = 7, options: RigOptions = {}): Promise<Rig> {
  const sim = new Simulator({ seed, faults });
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const publisher = new InMemoryPublisher();
  const fallback = options.fallback ?? new InMemoryFallbackStore();
  const checkpoints = new InMemoryCheckpointStore();
  // The simulator's model in this process, without its HTTP server: this file tests the poller's core.
  const inMemory = new InMemorySource((query) => sim.readPage(cdcQuery(query)), { pageLimit: 7 });
  const source: Source = { fetchPage: (...a) => (options.onRequest?.(), inMemory.fetchPage(...a)) };
  const deps = {
    source,
    checkpoints,
    publisher,
    fallback,
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 })),
    log: createLogger({}, () => undefined),
  };
  return {
    sim,
    publisher,
    fallback,
    checkpoints,
    run: (outOfTime = () => false, maxCheckpointTieIds?: number, more: Partial<PollRequest> = {}) =>
      pollEntity(deps, {
        entity: ENTITY,
        topic: 'cdc.customer',
        schemaName: 'cdc.customer',
        compression: 'none',
        runId: 'r',
        leaseMs: 60_000,
        limits: {
          maxPages: 10_000,
          maxConsecutiveEmptyPages: 5,
          maxCheckpointTieIds,
          maxListedParkedItems: options.maxListedParkedItems,
        },
        outOfTime,
        ...more,
      }),
  };
}

/** The query as the simulator's HTTP route would have read it from the request's URL. */
function cdcQuery({ entity, updatedSince, pageToken, limit }: PageQuery) {
  return parseCdcQuery(
    new URLSearchParams({ entity, updatedSince, limit: String(limit), ...(pageToken === null ? {} : { pageToken }) }),
  );
}

const publishedIds = (r: Rig): string[] =>
  r.publisher.sent.map((s) => `${s.message.key}@${s.message.headers['cdc-event-id']}`);
const sourceRecords = (r: Rig) => r.sim.state([ENTITY]).entities[ENTITY]?.records ?? [];

/**
 * Run 1 parks the changes as RETRIABLE while Kafka is down (`afterFirst` sees how it ended), the
 * parked keys change again, and run 2 goes with Kafka back.
 */
async function parkThenChange(
  r: Rig,
  more: Partial<PollRequest> = {},
  afterFirst = async (first: Promise<PollSummary>): Promise<unknown> => first,
): Promise<{ parkedKeys: Set<string>; second: PollSummary }> {
  r.sim.generate(30, [ENTITY]);
  r.publisher.down = true;
  await afterFirst(r.run(undefined, undefined, more));
  const parkedKeys = new Set(r.fallback.events.map((e) => e.id));
  expect(parkedKeys.size).toBeGreaterThan(0);
  r.publisher.down = false;
  r.sim.update(ENTITY, [...parkedKeys]);
  r.sim.generate(30, [ENTITY]);
  return { parkedKeys, second: await r.run(undefined, undefined, more) };
}

/** No newer change of a parked key went to Kafka before it: each waits behind it (a parked change itself may go out again when its page is read again: at least once). */
function expectNotOvertaken(r: Rig, parkedKeys: Set<string>): void {
  const parkedChanges = new Set(
    r.fallback.events.filter((e) => e.reason === 'KAFKA_UNAVAILABLE').map((e) => e.eventId),
  );
  expect(
    r.publisher.sent
      .filter((s) => parkedKeys.has(s.message.key) && !parkedChanges.has(s.message.headers['cdc-event-id']!))
      .map((s) => s.message.key),
  ).toEqual([]);
  const behind = r.fallback.events.filter((e) => e.reason === 'PARKED_BEHIND_KEY');
  expect(behind.length).toBeGreaterThan(0);
  expect(behind.every((e) => parkedKeys.has(e.id))).toBe(true);
}

describe('one poller run', () => {
  let r: Rig;
  afterEach(async () => r?.sim.close());

  it('publishes every change exactly once through heavy ties and ties across pages, and a rerun publishes nothing', async () => {
    r = await rig({ tieRate: 0.8 });
    r.sim.generate(300, [ENTITY]);
    const first = await r.run();
    expect(first.pages).toBeGreaterThan(5);
    expect(new Set(publishedIds(r)).size).toBe(publishedIds(r).length);
    expect(r.publisher.sent.map((s) => s.message.key).sort()).toEqual(
      sourceRecords(r)
        .map((x) => x.id)
        .sort(),
    );
    const last = sourceRecords(r)
      .map((x) => x.updatedAt)
      .sort()
      .pop();
    expect(first.checkpointAfter.updatedAt).toBe(last);
    const second = await r.run();
    expect(second.published).toBe(0);
    expect(r.publisher.sent).toHaveLength(first.published);
  });

  /** Run 1 reads while some changes are not committed yet; they commit (stamped before its checkpoint); run 2 and 3 read again. */
  async function lateCommits(lookbackMs: number): Promise<{ runs: PollSummary[]; expected: string[] }> {
    r = await rig({ lateCommitRate: 0.3, lateCommitMs: 300, tieRate: 0.3 });
    r.sim.generate(120, [ENTITY]);
    const runs = [await r.run(undefined, undefined, { lookbackMs })];
    await new Promise((resolve) => setTimeout(resolve, 400));
    runs.push(await r.run(undefined, undefined, { lookbackMs }));
    runs.push(await r.run(undefined, undefined, { lookbackMs }));
    const expected = sourceRecords(r).map((x) => `${x.id}@${toChangeRecord(ENTITY, x as never).eventId}`);
    return { runs, expected };
  }

  it('with a lookback window, delivers each change committed late (stamped before the checkpoint) once, and skips what it had', async () => {
    const { runs, expected } = await lateCommits(3_600_000);
    const [first, second, third] = runs as [PollSummary, PollSummary, PollSummary];
    expect(second.lateChanges).toBeGreaterThan(0);
    // Late changes stamped after run 1's watermark are simply new to run 2; the others are late.
    expect(second.published).toBeGreaterThanOrEqual(second.lateChanges);
    // Runs 2 and 3 read the whole window again: what was handed off there is skipped, not re-sent.
    expect(second.duplicates).toBeGreaterThan(0);
    expect(second.duplicates + second.published).toBeGreaterThanOrEqual(sourceRecords(r).length);
    expect(third.published).toBe(0);
    expect(third.duplicates).toBe(sourceRecords(r).length);
    expect(first.published + second.published).toBe(r.publisher.sent.length);
    expect(new Set(publishedIds(r)).size).toBe(publishedIds(r).length);
    // Every source record's latest version is on the topic.
    expect(expected.filter((id) => !publishedIds(r).includes(id))).toEqual([]);
  });

  it('without a lookback window, a change committed late behind the checkpoint is never delivered (why the window exists)', async () => {
    const { runs, expected } = await lateCommits(0);
    const missed = expected.filter((id) => !publishedIds(r).includes(id));
    expect(missed.length).toBeGreaterThan(0);
    expect(runs[1]!.lateChanges + runs[2]!.lateChanges).toBe(0);
    const checkpoint = runs[0]!.checkpointAfter.updatedAt;
    const missedRecords = sourceRecords(r).filter((x) => missed.some((m) => m.startsWith(`${x.id}@`)));
    expect(missedRecords.every((x) => x.updatedAt < checkpoint)).toBe(true);
  });

  it('parks everything as RETRIABLE while Kafka is down and moves the checkpoint over parked events only', async () => {
    r = await rig();
    r.sim.generate(40, [ENTITY]);
    r.publisher.down = true;
    const summary = await r.run();
    expect(summary.published).toBe(0);
    expect(summary.parked).toEqual({ KAFKA_UNAVAILABLE: sourceRecords(r).length });
    expect(r.fallback.events.every((e) => e.status === 'RETRIABLE')).toBe(true);
  });

  it('parks what Kafka refused as RETRIABLE/KAFKA_REFUSED, keeps what it acknowledged before, and goes on with the next pages', async () => {
    r = await rig();
    r.sim.generate(40, [ENTITY]);
    r.publisher.refuseAfter = 3;
    const summary = await r.run();
    const refused = r.fallback.events.filter((e) => e.reason === 'KAFKA_REFUSED');
    expect(refused.length).toBe(7 - 3);
    expect(refused.every((e) => e.status === 'RETRIABLE')).toBe(true);
    // Each change once: on Kafka or parked, never both.
    const parkedIds = new Set(r.fallback.events.map((e) => e.eventId));
    expect(r.publisher.sent.filter((s) => parkedIds.has(s.message.headers['cdc-event-id']!))).toEqual([]);
    expect(summary.published + r.fallback.events.length).toBe(summary.fetched);
    expect(summary.pages).toBeGreaterThan(1);
  });

  it('parks the newer events of a key with RETRIABLE events behind them, and publishes other keys', async () => {
    r = await rig();
    r.sim.generate(30, [ENTITY]);
    r.publisher.down = true;
    await r.run();
    const parkedKeys = new Set(r.fallback.events.map((e) => e.id));
    r.publisher.down = false;
    r.sim.generate(60, [ENTITY]);
    const summary = await r.run();
    const behind = r.fallback.events.filter((e) => e.reason === 'PARKED_BEHIND_KEY');
    expect(behind.length).toBeGreaterThan(0);
    expect(behind.every((e) => parkedKeys.has(e.id))).toBe(true);
    expect(r.publisher.sent.every((s) => !parkedKeys.has(s.message.key))).toBe(true);
    expect(summary.published).toBeGreaterThan(0);
  });

  it("parks the newer events of a key the previous run parked just before, although the fallback table's index does not show it yet", async () => {
    r = await rig({}, 7, { fallback: new LaggingIndexFallbackStore() });
    const { parkedKeys, second } = await parkThenChange(r);
    expectNotOvertaken(r, parkedKeys);
    expect(second.published).toBeGreaterThan(0);
  });

  it("past the note's size bound, reads every key consistently before publishing, so no parked key is overtaken either", async () => {
    r = await rig({}, 7, { fallback: new LaggingIndexFallbackStore() });
    const { parkedKeys, second } = await parkThenChange(r, { parkedIndexLag: { maxNotedBytes: 10 } });
    expect(await r.checkpoints.recentParks(ENTITY)).toEqual({ keys: [], allUntil: expect.any(String) });
    expectNotOvertaken(r, parkedKeys);
    expect(second.published).toBeGreaterThan(0);
  });

  it('a run that fails right after parking has noted the keys already: the next run does not overtake them', async () => {
    const fallback = new LaggingIndexFallbackStore();
    r = await rig({}, 7, { fallback });
    const parkEvents = fallback.park.bind(fallback);
    fallback.park = async (events) => {
      await parkEvents(events);
      throw new Error('socket hang up'); // written, its answer lost
    };
    const { parkedKeys } = await parkThenChange(r, {}, async (first) => {
      await expect(first).rejects.toThrow('socket hang up');
      fallback.park = parkEvents;
    });
    expectNotOvertaken(r, parkedKeys);
  });

  it('stops without parking or moving the checkpoint when its lease ran out and another run took the entity before it parked', async () => {
    r = await rig();
    r.sim.generate(20, [ENTITY]);
    r.publisher.down = true;
    const publish = r.publisher.publish.bind(r.publisher);
    r.publisher.publish = async (topic, messages) => {
      // This run overran its deadline: the next one takes the lease over.
      await r.checkpoints.acquireLease(
        ENTITY,
        'next-run',
        new Date(Date.now() + 120_000),
        new Date(Date.now() + 180_000),
      );
      return publish(topic, messages);
    };
    const summary = await r.run();
    expect(summary).toMatchObject({ stoppedBecause: 'another run is polling', published: 0, parked: {} });
    expect(r.fallback.events).toEqual([]);
    expect(await r.checkpoints.load(ENTITY)).toBeUndefined();
    expect(await r.checkpoints.leaseOf(ENTITY)).toMatchObject({ owner: 'next-run' });
  });

  it("with more parked items than it lists, asks the table about each key of a page, and still parks a key's newer events behind it", async () => {
    const fallback = new InMemoryFallbackStore();
    r = await rig({}, 7, { fallback, maxListedParkedItems: 5 });
    const asked: string[] = [];
    const { parkedKeys, second } = await parkThenChange(r, {}, async (first) => {
      await first;
      const lookup = fallback.openStatusesOf.bind(fallback);
      fallback.openStatusesOf = async (entity, ids) => (asked.push(...ids), lookup(entity, ids));
    });
    expect(parkedKeys.size).toBeGreaterThan(5);
    expectNotOvertaken(r, parkedKeys);
    expect(second.published).toBeGreaterThan(0);
    // Each key of the run's pages once per run, not once per event.
    expect(asked.length).toBe(new Set(asked).size);
    const behind = r.fallback.events.filter((e) => e.reason === 'PARKED_BEHIND_KEY');
    expect(
      [...r.publisher.sent.map((s) => s.message.key), ...behind.map((e) => e.id)].filter((id) => !asked.includes(id)),
    ).toEqual([]);
  });

  it('sends its first source request while it is still reading which keys are parked', async () => {
    let requested!: () => void;
    const firstRequest = new Promise<void>((resolve) => {
      requested = resolve;
    });
    const fallback = new InMemoryFallbackStore();
    const listing = fallback.openKeys.bind(fallback);
    // The listing ends only once the source has been asked: a run that waits for it first never ends.
    fallback.openKeys = async (entity, limit) => {
      const timedOut = await Promise.race([
        firstRequest.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000)),
      ]);
      if (timedOut) throw new Error('no source request while the parked keys were being read');
      return listing(entity, limit);
    };
    r = await rig({}, 7, { fallback, onRequest: () => requested() });
    r.sim.generate(20, [ENTITY]);
    const summary = await r.run();
    expect(summary.published).toBe(sourceRecords(r).length);
  });

  it('parks schema-breaking records with their field paths and malformed ones whole, and publishes the rest', async () => {
    r = await rig({ schemaBreakRate: 0.2, malformedRate: 0.5 });
    r.sim.generate(150, [ENTITY]);
    const summary = await r.run();
    const broken = sourceRecords(r).filter((x) => x.broken === 'SCHEMA');
    expect(broken.length).toBeGreaterThan(0);
    const ambiguous = r.fallback.events.filter((e) => e.reason === 'SCHEMA_VALIDATION');
    expect(ambiguous.map((e) => e.id).sort()).toEqual(broken.map((x) => x.id).sort());
    for (const e of ambiguous) expect(e.violations?.length).toBeGreaterThan(0);
    expect(summary.parked.MALFORMED_EVENT).toBeGreaterThan(0);
    expect(summary.published + broken.length).toBe(sourceRecords(r).length);
  });

  it("supersedes a key's parked ambiguous event when a newer valid change of the key is published", async () => {
    r = await rig({ schemaBreakRate: 1 });
    r.sim.generate(20, [ENTITY]);
    await r.run();
    const ambiguous = r.fallback.events.filter((e) => e.status === 'AMBIGUOUS');
    expect(ambiguous.length).toBeGreaterThan(0);
    r.sim.setFaults({ schemaBreakRate: 0 });
    r.sim.generate(200, [ENTITY]);
    await r.run();
    const superseded = r.fallback.events.filter((e) => e.status === 'SUPERSEDED');
    expect(superseded.length).toBeGreaterThan(0);
    for (const e of superseded) expect(r.publisher.sent.some((s) => s.message.key === e.id)).toBe(true);
  });

  it('stops at its time budget with the checkpoint covering exactly the pages it finished; the next run continues', async () => {
    r = await rig();
    r.sim.generate(100, [ENTITY]);
    let pages = 0;
    const stopped = await r.run(() => ++pages > 3);
    expect(stopped.stoppedBecause).toBe('time budget');
    const rest = await r.run();
    expect(stopped.published + rest.published).toBe(sourceRecords(r).length);
    expect(new Set(publishedIds(r)).size).toBe(sourceRecords(r).length);
  });

  it('fails without moving the checkpoint when events cannot be parked', async () => {
    r = await rig();
    r.sim.generate(20, [ENTITY]);
    r.publisher.down = true;
    r.fallback.failNextPark = true;
    await expect(r.run()).rejects.toThrow('fallback table unavailable');
    expect(await r.checkpoints.load(ENTITY)).toBeUndefined();
  });

  it('does not save a checkpoint listing more tied events than an item can hold, and loses nothing when it stops inside such a tie', async () => {
    r = await rig({ tieRate: 0.95 });
    // A record's changes never share a time, so long ties need many records: 600 changes.
    r.sim.generate(600, [ENTITY]);
    const tie = Math.max(
      ...[...new Map(sourceRecords(r).map((x) => [x.updatedAt, 0])).keys()].map(
        (at) => sourceRecords(r).filter((x) => x.updatedAt === at).length,
      ),
    );
    expect(tie).toBeGreaterThan(20);
    const saves: number[] = [];
    const save = r.checkpoints.save.bind(r.checkpoints);
    r.checkpoints.save = async (entity, position, version, runId) => {
      saves.push(position.eventIdsAtUpdatedAt.length);
      return save(entity, position, version, runId);
    };
    let pages = 0;
    const stopped = await r.run(() => ++pages > 4, 10);
    expect(Math.max(...saves)).toBeLessThanOrEqual(10);
    const runs = [stopped];
    while (runs.at(-1)!.stoppedBecause === 'time budget' && runs.length < 200) {
      let n = 0;
      runs.push(await r.run(() => ++n > 6, 10));
    }
    expect(runs.at(-1)!.stoppedBecause).toBe('done');
    expect(Math.max(...saves)).toBeLessThanOrEqual(10);
    // Every record reached the publisher; a run that stopped inside a big tie re-sent part of it.
    expect(new Set(r.publisher.sent.map((s) => s.message.key))).toEqual(new Set(sourceRecords(r).map((x) => x.id)));
  });

  it("stops before reading anything when another run holds the entity's lease, leaving the lease and the checkpoint as they were", async () => {
    r = await rig();
    r.sim.generate(30, [ENTITY]);
    const until = new Date(Date.now() + 60_000);
    expect(await r.checkpoints.acquireLease(ENTITY, 'other-run', new Date(), until)).toEqual({ acquired: true });
    const served = r.sim.state([ENTITY]).counters.requestsServed;
    const summary = await r.run();
    expect(summary).toMatchObject({ stoppedBecause: 'another run is polling', pages: 0, fetched: 0, published: 0 });
    expect(r.sim.state([ENTITY]).counters.requestsServed).toBe(served);
    expect(r.publisher.sent).toEqual([]);
    expect(await r.checkpoints.load(ENTITY)).toBeUndefined();
    expect(await r.checkpoints.leaseOf(ENTITY)).toEqual({ owner: 'other-run', until: until.toISOString() });
  });

  it("takes over a lease whose holder's deadline has passed (a run that crashed), and gives it back at the end", async () => {
    r = await rig();
    r.sim.generate(30, [ENTITY]);
    await r.checkpoints.acquireLease(ENTITY, 'crashed-run', new Date(Date.now() - 120_000), new Date(Date.now() - 1));
    const summary = await r.run();
    expect(summary.stoppedBecause).toBe('done');
    expect(r.publisher.sent.map((s) => s.message.key).sort()).toEqual(
      sourceRecords(r)
        .map((x) => x.id)
        .sort(),
    );
    expect(await r.checkpoints.leaseOf(ENTITY)).toBeUndefined();
  });

  it('holds the lease until its deadline while it reads, and gives it back when the run fails', async () => {
    r = await rig();
    r.sim.generate(20, [ENTITY]);
    const seen: unknown[] = [];
    const parkEvents = r.fallback.park.bind(r.fallback);
    r.fallback.park = async (events) => {
      seen.push(await r.checkpoints.leaseOf(ENTITY));
      return parkEvents(events);
    };
    r.publisher.down = true;
    r.fallback.failNextPark = true;
    const started = Date.now();
    await expect(r.run()).rejects.toThrow('fallback table unavailable');
    expect(seen).toEqual([{ owner: 'r', until: expect.any(String) }]);
    const until = Date.parse((seen[0] as { until: string }).until);
    expect(until).toBeGreaterThanOrEqual(started + 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await r.checkpoints.leaseOf(ENTITY)).toBeUndefined();
  });

  it('gives the lease back when taking it failed after the write happened (its answer lost), then fails', async () => {
    r = await rig();
    r.sim.generate(10, [ENTITY]);
    const acquire = r.checkpoints.acquireLease.bind(r.checkpoints);
    r.checkpoints.acquireLease = async (...args) => {
      await acquire(...args);
      throw new Error('socket hang up');
    };
    await expect(r.run()).rejects.toThrow('socket hang up');
    expect(await r.checkpoints.leaseOf(ENTITY)).toBeUndefined();
    expect(r.publisher.sent).toEqual([]);
  });

  it("tries again to give the lease back while DynamoDB does not answer, so the entity is not held until the run's deadline", async () => {
    r = await rig();
    r.sim.generate(10, [ENTITY]);
    const release = r.checkpoints.releaseLease.bind(r.checkpoints);
    let failures = 0;
    r.checkpoints.releaseLease = async (entity, owner) => {
      if (failures < 2) {
        failures += 1;
        throw new Error('connection reset');
      }
      return release(entity, owner);
    };
    expect((await r.run()).stoppedBecause).toBe('done');
    expect(failures).toBe(2);
    expect(await r.checkpoints.leaseOf(ENTITY)).toBeUndefined();
  });
});
