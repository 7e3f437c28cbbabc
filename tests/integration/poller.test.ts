/**
 * The poller core against the real parts: the bundled source simulator over HTTP, Kafka, and
 * DynamoDB, S3 and the Glue Schema Registry on moto. Each test owns copies of the checkpoint
 * and fallback tables and its own topic. Some tests stop and restart the local Kafka broker.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { type CheckpointStore, DynamoDbCheckpointStore, type Position } from '../../lib/checkpoint';
import { DynamoDbFallbackStore, type FallbackStore } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { type PollSummary, pollEntity } from '../../lib/poller';
import { KafkaPublisher } from '../../lib/publish';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { DEFAULT_MAPPING, HttpSource } from '../../lib/source';
import { consumeTopic } from '../../local/demo/pipeline';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { startService, stopService } from '../../local/stack';
import { localClientConfig, localKafkaBrokers, localNames } from '../helpers/local-stack';
import { withSave } from '../helpers/checkpoints';
import { expectForwardPerKey } from '../helpers/topic-order';
import { cloneTable, dropTable, scanAll } from '../../local/scratch-tables';

const ENTITY = 'customer';
const PAGE = 13;

const dynamodb = new DynamoDBClient(localClientConfig());
const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
const glue = new GlueClient(localClientConfig());
const kafka = new Kafka({ clientId: 'it-poller', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });

interface Rig {
  readonly sim: RunningSimulator;
  readonly topic: string;
  readonly checkpoints: DynamoDbCheckpointStore;
  readonly fallbackTable: string;
  readonly registry: string;
  /** One poller run; the options put faults or hooks around the real checkpoint and fallback stores. */
  run(options?: {
    runId?: string;
    outOfTime?: () => boolean;
    checkpoints?: (c: CheckpointStore) => CheckpointStore;
    fallback?: (f: FallbackStore) => FallbackStore;
  }): Promise<PollSummary>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];

async function rig(faults: Record<string, number> = {}, seed = 11): Promise<Rig> {
  const names = await localNames();
  const suffix = randomUUID().slice(0, 8);
  const topic = `it.poller.${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const checkpointTable = await cloneTable(dynamodb, names.checkpointTable, `${names.checkpointTable}-it-${suffix}`);
  const fallbackTable = await cloneTable(dynamodb, names.fallbackTable, `${names.fallbackTable}-it-${suffix}`);
  const sim = await startSimulatorServer({ seed, faults });
  const checkpoints = new DynamoDbCheckpointStore(dynamodb, checkpointTable);
  const fallback = new DynamoDbFallbackStore(dynamodb, s3, {
    tableName: fallbackTable,
    payloadBucket: names.rawBucket,
  });
  const serde = new GlueAvroSerde(
    new SchemaCache(new GlueSchemaRegistry(glue, names.schemaRegistry), { latestTtlMs: 60_000, maxEntries: 10 }),
  );
  const source = new HttpSource({
    baseUrl: new URL(sim.url),
    mappingOf: () => DEFAULT_MAPPING,
    token: async () => undefined,
    pageLimit: PAGE,
    requestTimeoutMs: 2000,
    maxResponseBytes: 5_000_000,
    retry: { retries: 8, initialDelayMs: 5, maxDelayMs: 50 },
  });
  const publishers: KafkaPublisher[] = [];
  const made: Rig = {
    sim,
    topic,
    checkpoints,
    fallbackTable,
    registry: names.schemaRegistry,
    run: async (options = {}) => {
      const publisher = new KafkaPublisher({
        brokers: localKafkaBrokers(),
        clientId: 'it-poller',
        connectionTimeoutMs: 1000,
        retries: 1,
        cooldownMs: 1000,
      });
      publishers.push(publisher);
      return pollEntity(
        {
          source,
          checkpoints: options.checkpoints?.(checkpoints) ?? checkpoints,
          fallback: options.fallback?.(fallback) ?? fallback,
          publisher,
          serde,
          log: createLogger({}, () => undefined),
        },
        {
          entity: ENTITY,
          topic,
          schemaName: `cdc.${ENTITY}`,
          compression: 'none',
          runId: options.runId ?? randomUUID(),
          leaseMs: 60_000,
          limits: { maxPages: 10_000, maxConsecutiveEmptyPages: 5 },
          outOfTime: options.outOfTime ?? (() => false),
        },
      );
    },
    close: async () => {
      await Promise.all(publishers.map((p) => p.close()));
      await sim.close();
      await dropTable(dynamodb, checkpointTable);
      await dropTable(dynamodb, fallbackTable);
    },
  };
  rigs.push(made);
  return made;
}

/**
 * Watches the checkpoint: records every position saved, and runs `hooks[n]` right after the
 * n-th save (page n handed off), before the run goes on to hand off the next page.
 */
function afterSave(
  saved: Position[],
  hooks: Record<number, () => Promise<void>> = {},
): (c: CheckpointStore) => CheckpointStore {
  return (inner) =>
    withSave(inner, async (entity, position, version, runId) => {
      const out = await inner.save(entity, position, version, runId);
      saved.push(position);
      await hooks[saved.length]?.();
      return out;
    });
}

const current = (r: Rig) => r.sim.simulator.state([ENTITY]).entities[ENTITY]!;
const identity = (x: object): string =>
  `${String((x as { id?: unknown }).id)}@${String((x as { updatedAt?: unknown }).updatedAt)}`;
const parkedItems = async (r: Rig) =>
  (await scanAll(dynamodb, r.fallbackTable)) as {
    id: string;
    updatedAt: string;
    eventId: string;
    status: string;
    reason: string;
    error: string;
    violations?: { path: string }[];
  }[];

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

async function withKafkaRestoredAfter<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await startService('kafka');
  }
}

afterAll(async () => {
  await Promise.all(rigs.map((r) => r.close()));
  dynamodb.destroy();
  s3.destroy();
  glue.destroy();
});

describe('the poller against the local stack', () => {
  it('puts every change on Kafka exactly once through heavy ties, ties across page boundaries and runs that end inside a tie', async () => {
    const r = await rig({ tieRate: 0.85 });
    // A record's changes never share a time, so ties are between records: 800 changes give ~370 of them.
    r.sim.simulator.generate(800, [ENTITY]);
    const ties = countBy(current(r).records, (x) => x.updatedAt);
    expect(Math.max(...ties.values())).toBeGreaterThan(PAGE); // some tie spans at least one page boundary
    // Runs of five pages each (a time budget), so most runs end inside a tie and the next
    // re-queries that timestamp inclusively.
    const pagesPerRun = (): (() => boolean) => {
      let pages = 0;
      return () => pages++ >= 5;
    };
    const runs: PollSummary[] = [];
    do runs.push(await r.run({ outOfTime: pagesPerRun() }));
    while (runs.at(-1)!.stoppedBecause === 'time budget' && runs.length < 100);
    expect(runs.at(-1)!.stoppedBecause).toBe('done');
    expect(runs.length).toBeGreaterThan(3);
    expect(
      runs.some((x) => x.checkpointAfter.eventIdsAtUpdatedAt.length > 1 && x.stoppedBecause === 'time budget'),
    ).toBe(true); // a run ended inside a tie
    expect(runs.reduce((n, x) => n + x.duplicates, 0)).toBeGreaterThan(0); // and the next one skipped what it had handed off

    const { messages, undecodable } = await consumeTopic(r.topic, r.registry);
    expect(undecodable).toEqual([]);
    const expected = current(r).records.map(identity).sort();
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(expected);
    expect(new Set(messages.map((m) => m.headers['cdc-event-id'])).size).toBe(messages.length);
    expect(runs.reduce((n, x) => n + x.published, 0)).toBe(expected.length);
    expect((await r.checkpoints.load(ENTITY))?.position.updatedAt).toBe(
      current(r)
        .records.map((x) => x.updatedAt)
        .sort()
        .at(-1),
    );
  });

  it('parks every unpublished event as RETRIABLE when Kafka stops mid-run, and the checkpoint covers only handed-off events', async () => {
    const r = await rig({ tieRate: 0.3 });
    r.sim.simulator.generate(600, [ENTITY]);
    const total = current(r).records.length;
    const started = Date.now();
    const summary = await withKafkaRestoredAfter(() =>
      r.run({ checkpoints: afterSave([], { 3: () => stopService('kafka') }) }),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(summary.stoppedBecause).toBe('done');
    expect(summary.published).toBe(3 * PAGE);
    expect(summary.parked).toEqual({ KAFKA_UNAVAILABLE: total - 3 * PAGE });
    expect(seconds).toBeLessThan(60); // the pause after a failure keeps each parked page from waiting on timeouts

    const parked = await parkedItems(r);
    expect(parked.every((p) => p.status === 'RETRIABLE' && p.reason === 'KAFKA_UNAVAILABLE')).toBe(true);
    const { messages } = await consumeTopic(r.topic, r.registry);
    const onKafka = new Set(messages.map((m) => identity(m.value)));
    const inTable = new Set(parked.map(identity));
    const records = current(r).records;
    expect(records.filter((x) => !onKafka.has(identity(x)) && !inTable.has(identity(x)))).toEqual([]);
    expect([...onKafka].filter((x) => inTable.has(x))).toEqual([]);
    expect((await r.checkpoints.load(ENTITY))?.position.updatedAt).toBe(
      records
        .map((x) => x.updatedAt)
        .sort()
        .at(-1),
    );
  });

  it('does not move the checkpoint over events that are neither on Kafka nor parked, and the next run delivers them', async () => {
    const r = await rig();
    r.sim.simulator.generate(200, [ENTITY]);
    // Kafka goes down before page 3, and parking that page fails too (the table throttles).
    const failingPark = (inner: FallbackStore): FallbackStore => ({
      openKeys: (e, limit) => inner.openKeys(e, limit),
      openStatusesOf: (e, ids) => inner.openStatusesOf(e, ids),
      supersedeAmbiguous: (e, id, at) => inner.supersedeAmbiguous(e, id, at),
      park: async () => {
        throw new Error('ProvisionedThroughputExceededException (injected)');
      },
    });
    const error = await withKafkaRestoredAfter(() =>
      r
        .run({
          fallback: failingPark,
          checkpoints: afterSave([], { 2: () => stopService('kafka') }),
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    expect(String(error)).toContain('injected');
    const { messages: sofar } = await consumeTopic(r.topic, r.registry);
    expect(sofar).toHaveLength(2 * PAGE);
    expect(await parkedItems(r)).toEqual([]);
    expect((await r.checkpoints.load(ENTITY))?.position.updatedAt).toBe(
      sofar
        .map((m) => String(m.value.updatedAt))
        .sort()
        .at(-1),
    );

    const next = await r.run();
    expect(next.stoppedBecause).toBe('done');
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(current(r).records.map(identity).sort());
  });

  it('parks schema-breaking and malformed records with their reason and field paths, publishes the rest, and supersedes them with a later valid change', async () => {
    const r = await rig({ schemaBreakRate: 0.1, malformedRate: 0.5 });
    r.sim.simulator.generate(600, [ENTITY]);
    const summary = await r.run();
    const state = current(r);
    const broken = state.records.filter((x) => x.broken === 'SCHEMA');
    expect(broken.length).toBeGreaterThan(3);
    expect(state.malformedServed.length).toBeGreaterThan(3);
    expect(summary.parked).toEqual({ SCHEMA_VALIDATION: broken.length, MALFORMED_EVENT: state.malformedServed.length });

    const parked = await parkedItems(r);
    for (const b of broken) {
      const item = parked.find((p) => p.id === b.id && p.updatedAt === b.updatedAt);
      expect(item).toMatchObject({ status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' });
      // The simulator says which field it broke; the parked item names that path.
      expect(item!.violations!.map((v) => v.path).join(' ')).toContain(String(b.schemaBreak!.path));
    }
    expect(
      parked.filter((p) => p.reason === 'MALFORMED_EVENT').every((p) => p.status === 'AMBIGUOUS' && p.error.length > 0),
    ).toBe(true);
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(
      state.records
        .filter((x) => x.broken === null)
        .map(identity)
        .sort(),
    );

    r.sim.simulator.setFaults({ schemaBreakRate: 0, malformedRate: 0 });
    expect(
      r.sim.simulator.update(
        ENTITY,
        broken.map((b) => b.id),
      ),
    ).toBe(broken.length);
    const again = await r.run();
    expect(again.published).toBe(broken.length);
    const after = await parkedItems(r);
    for (const b of broken)
      expect(after.find((p) => p.id === b.id && p.updatedAt === b.updatedAt)?.status).toBe('SUPERSEDED');
    const finalTopic = await consumeTopic(r.topic, r.registry);
    expectForwardPerKey(finalTopic.messages);
    expect(finalTopic.messages.filter((m) => broken.some((b) => b.id === m.key))).toHaveLength(broken.length);
  });

  it('when Kafka comes back mid-run, parks the newer events of keys with RETRIABLE events behind them and publishes other keys', async () => {
    const r = await rig();
    r.sim.simulator.generate(300, [ENTITY]);
    const total = current(r).records.length;
    let parkedEarly: string[] = [];
    let moved: string[] = [];
    const summary = await withKafkaRestoredAfter(async () => {
      await stopService('kafka');
      return r.run({
        checkpoints: afterSave([], {
          // Pages 1-3 are parked while Kafka is down; then some of those keys change and Kafka returns.
          3: async () => {
            parkedEarly = (await parkedItems(r)).map((p) => p.id);
            expect(parkedEarly).toHaveLength(3 * PAGE);
            moved = current(r)
              .records.filter((x) => parkedEarly.includes(x.id) && x.op === 'UPSERT')
              .map((x) => x.id);
            expect(r.sim.simulator.update(ENTITY, moved)).toBe(moved.length);
            await startService('kafka');
            await new Promise((resolve) => setTimeout(resolve, 1100)); // past the publisher's pause
          },
        }),
      });
    });
    expect(moved.length).toBeGreaterThan(3);
    expect(summary.parked).toEqual({ KAFKA_UNAVAILABLE: 3 * PAGE, PARKED_BEHIND_KEY: moved.length });
    expect(summary.published).toBe(total - 3 * PAGE);
    const parked = await parkedItems(r);
    const behind = parked.filter((p) => p.reason === 'PARKED_BEHIND_KEY');
    expect(behind.map((p) => p.id).sort()).toEqual(moved.sort());
    expect(behind.every((p) => p.status === 'RETRIABLE')).toBe(true);
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.filter((m) => parkedEarly.includes(m.key))).toEqual([]);
    expect(messages).toHaveLength(total - 3 * PAGE);
    expectForwardPerKey(messages);
  });

  it('two pollers started at once on one entity: one reads, the other stops before reading (the lease); each change once, the checkpoint never regresses', async () => {
    const r = await rig({ tieRate: 0.5, slowMs: 40, slowRate: 1 });
    r.sim.simulator.generate(300, [ENTITY]);
    const saved: Position[] = [];
    const [a, b] = await Promise.all([
      r.run({ runId: 'a', checkpoints: afterSave(saved) }),
      r.run({ runId: 'b', checkpoints: afterSave(saved) }),
    ]);
    expect([a, b].map((x) => x.stoppedBecause).sort()).toEqual(['another run is polling', 'done']);
    expect([a, b].find((x) => x.stoppedBecause === 'another run is polling')).toMatchObject({
      pages: 0,
      fetched: 0,
      published: 0,
    });
    for (let i = 1; i < saved.length; i += 1) expect(saved[i]!.updatedAt >= saved[i - 1]!.updatedAt).toBe(true);

    const { messages } = await consumeTopic(r.topic, r.registry);
    const perEvent = countBy(messages, (m) => m.headers['cdc-event-id']!);
    expect([...perEvent.values()].filter((n) => n > 1)).toEqual([]);
    expect([...new Set(messages.map((m) => identity(m.value)))].sort()).toEqual(
      current(r).records.map(identity).sort(),
    );
    expectForwardPerKey(messages);
  });

  it('backs off through 429 and 5xx storms and completes', async () => {
    const r = await rig({ rate429: 0.3, retryAfterSeconds: 0, rate5xx: 0.2 });
    r.sim.simulator.generate(400, [ENTITY]);
    const summary = await r.run();
    expect(summary.stoppedBecause).toBe('done');
    const counters = r.sim.simulator.state([ENTITY]).counters.responsesByStatus;
    expect(
      (counters['429'] ?? 0) +
        Object.entries(counters)
          .filter(([s]) => s.startsWith('5'))
          .reduce((n, [, c]) => n + c, 0),
    ).toBeGreaterThan(5);
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(current(r).records.map(identity).sort());
  });

  it('stops cleanly at its time budget during a slow storm, then a later run finishes with nothing lost or repeated', async () => {
    const r = await rig({ rate5xx: 0.3, slowMs: 100, slowRate: 1 });
    r.sim.simulator.generate(600, [ENTITY]);
    const deadline = Date.now() + 1000;
    const first = await r.run({ outOfTime: () => Date.now() > deadline });
    expect(first.stoppedBecause).toBe('time budget');
    expect(first.fetched).toBeLessThan(current(r).records.length);
    const { messages: sofar } = await consumeTopic(r.topic, r.registry);
    expect(sofar).toHaveLength(first.published);
    expect(first.checkpointAfter.updatedAt).toBe(
      sofar
        .map((m) => String(m.value.updatedAt))
        .sort()
        .at(-1),
    );

    r.sim.simulator.setFaults({ rate5xx: 0, slowMs: 0 });
    const second = await r.run();
    expect(second.stoppedBecause).toBe('done');
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(current(r).records.map(identity).sort());
  });
});
