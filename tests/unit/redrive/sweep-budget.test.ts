import { InMemoryFallbackStore, type ParkedEvent } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { InMemoryPublisher } from '../../../lib/publish';
import { InMemoryAlerts, lambdaSweepChain, type RedrivePolicy, sweep } from '../../../lib/redrive';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import { InMemoryStaleArchive } from '../../../ops/archive/in-memory-stale-archive';
import { customerChange, schemaFile } from '../../helpers/schemas';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');

/** A backlog of `keys` keys with one due RETRIABLE event each, and a sweep whose time left is scripted. */
function backlog(keys: number, timeLeft: (sent: number) => number, concurrency = 4) {
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const store = new InMemoryFallbackStore();
  const publisher = new InMemoryPublisher();
  const chained: number[] = [];
  const policy: RedrivePolicy = {
    backoffBaseMs: 1000,
    backoffCapMs: 8000,
    sweepBatchSize: 50,
    claimMs: 60_000,
    concurrency,
    stale: { default: { maxAgeSeconds: 86_400, maxAttempts: 1000 } },
    topicOf: (e) => `cdc.${e}`,
    compressionOf: () => 'none',
  };
  for (let k = 0; k < keys; k += 1) {
    const id = `k${k}`;
    const updatedAt = new Date(T0 - 3_600_000 + k).toISOString();
    const eventId = `${id}`.padEnd(32, '0');
    const event: ParkedEvent = {
      entity: 'customer',
      id,
      updatedAt,
      eventId,
      payload: customerChange({ id, updatedAt, eventId }, { id }),
      status: 'RETRIABLE',
      reason: 'KAFKA_UNAVAILABLE',
      error: 'broker down',
      attempts: 0,
      firstSeenAt: new Date(T0 - 60_000).toISOString(),
      nextAttemptAt: new Date(T0 - 60_000 + k).toISOString(),
    };
    store.add(event);
  }
  const deps = {
    store,
    publisher,
    alerts: new InMemoryAlerts(),
    archive: new InMemoryStaleArchive(),
    stage: 'test',
    owner: 'me',
    log: createLogger({}, () => undefined),
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 1000, maxEntries: 10, now: () => T0 })),
    now: () => new Date(T0),
    budget: { timeLeftMs: () => timeLeft(publisher.sent.length), reserveMs: 10_000 },
    chain: async () => void chained.push(1),
  };
  return { store, publisher, chained, run: () => sweep(deps, policy) };
}

describe('a sweep with a backlog larger than one batch', () => {
  it('keeps draining batch after batch while due work and time are left, and does not chain when it is done', async () => {
    const r = backlog(180, () => 60_000);
    const summary = await r.run();
    expect(r.publisher.sent).toHaveLength(180);
    expect(r.store.all).toEqual([]);
    expect(summary).toMatchObject({ keys: 180, published: 180, stoppedBecause: 'drained', chained: false });
    expect(r.chained).toEqual([]);
  });

  it('stops when its time runs short, leaves the rest due, and chains one more sweep', async () => {
    // Each event sent takes half a second of a minute, and 10 s are kept in reserve: 100 fit.
    const r = backlog(180, (sent) => 60_000 - sent * 500, 1);
    const summary = await r.run();
    expect(summary).toMatchObject({ published: 100, stoppedBecause: 'time', chained: true });
    expect(r.store.all).toHaveLength(80);
    expect(r.chained).toEqual([1]);
  });

  it('a key another invocation holds is passed over, not asked for again and again', async () => {
    const r = backlog(120, () => 60_000);
    const held = r.store.all.filter((i) => i.id === 'k0' || i.id === 'k1');
    for (const item of held)
      await r.store.claim(item, 'someone else', new Date(T0).toISOString(), new Date(T0 + 60_000).toISOString());
    const summary = await r.run();
    expect(summary).toMatchObject({ published: 118, stoppedBecause: 'drained', chained: false });
    expect(r.store.all.map((i) => i.id).sort()).toEqual(['k0', 'k1']);
  });
});

describe('the chain of sweeps', () => {
  it('is bounded: the last allowed link starts no other', () => {
    const lambda = {} as never;
    expect(lambdaSweepChain(lambda, 'cdc-pipeline-dev-retry', { sweep: true }, 3)).toBeInstanceOf(Function);
    expect(lambdaSweepChain(lambda, 'cdc-pipeline-dev-retry', { sweep: true, chain: 2 }, 3)).toBeInstanceOf(Function);
    expect(lambdaSweepChain(lambda, 'cdc-pipeline-dev-retry', { sweep: true, chain: 3 }, 3)).toBeUndefined();
    expect(lambdaSweepChain(lambda, 'cdc-pipeline-dev-retry', { sweep: true }, 0)).toBeUndefined();
  });
});
