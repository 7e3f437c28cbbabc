import { createLogger } from '../../../lib/log';
import { InMemoryPublisher } from '../../../lib/publish';
import { archiveAndAlert, InMemoryAlerts, type RedrivePolicy, sweep } from '../../../lib/redrive';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import { InMemoryFallbackStore, type ParkedEvent } from '../../../lib/fallback';
import { InMemoryStaleArchive } from '../../../ops/archive/in-memory-stale-archive';
import { ArchiveNotFoundError, UsageError } from '../../../ops/errors';
import { applyStaleRedrive } from '../../../ops/redrive-stale/apply';
import { planStaleRedrive, type StaleRedriveRequest } from '../../../ops/redrive-stale/plan';
import { dataFields, evolve, schemaFile } from '../../helpers/schemas';
import { NOW, parkedChange } from './fakes';

const ENTITIES = ['customer', 'invoice', 'payment'];
const withLoyalty = evolve(schemaFile('customer'), (s) =>
  dataFields(s).push({ name: 'loyaltyTier', type: ['null', 'string'], default: null }),
);

function rig() {
  let clock = NOW.getTime();
  const now = () => new Date(clock);
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const store = new InMemoryFallbackStore();
  const archive = new InMemoryStaleArchive();
  const publisher = new InMemoryPublisher();
  const policy: RedrivePolicy = {
    backoffBaseMs: 1000,
    backoffCapMs: 8000,
    sweepBatchSize: 100,
    claimMs: 60_000,
    concurrency: 2,
    stale: { default: { maxAgeSeconds: 3600, maxAttempts: 5 } },
    topicOf: (e) => `cdc.${e}`,
    compressionOf: () => 'none',
  };
  const retry = {
    store,
    publisher,
    archive,
    alerts: new InMemoryAlerts(),
    stage: 'test',
    owner: 'sweep-1',
    log: createLogger({}, () => undefined),
    now,
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 0, maxEntries: 10, now: () => clock })),
  };
  return {
    registry,
    store,
    archive,
    publisher,
    later: (ms: number) => void (clock += ms),
    /** The retry function's sweep archives what is STALE or SUPERSEDED, one object per sweep. */
    archiveStale: async (...events: ParkedEvent[]) => {
      store.add(...events);
      const out = await archiveAndAlert(retry, 100);
      clock += 1000;
      return out.archive!.replace(`s3://${archive.bucket}/`, '');
    },
    sweep: () => sweep(retry, policy),
    plan: (request: Partial<StaleRedriveRequest> = {}) => planStaleRedrive(archive, { entities: ENTITIES, ...request }),
    redrive: async (request: Partial<StaleRedriveRequest> = {}) =>
      applyStaleRedrive(
        { archive, target: store, now, operator: 'ops' },
        await planStaleRedrive(archive, { entities: ENTITIES, ...request }),
      ),
  };
}

const stale = (
  id: string,
  secondsAgo: number,
  overrides: Partial<ParkedEvent> = {},
  data: Record<string, unknown> = {},
): ParkedEvent =>
  parkedChange(
    id,
    secondsAgo,
    {
      status: 'STALE',
      reason: 'SCHEMA_VALIDATION',
      error: 'data.loyaltyTier: not in the schema',
      attempts: 5,
      firstSeenAt: '2026-11-20T00:00:00.000Z',
      ...overrides,
    },
    data,
  );

describe('redrive-stale', () => {
  it('puts an archived stale event back under its old key as a due AMBIGUOUS item, attempts and first-seen reset, noting the archive', async () => {
    const r = rig();
    const key = await r.archiveStale(stale('c-1', 600, {}, { loyaltyTier: 'gold' }));
    expect(r.store.all).toEqual([]);
    const report = await r.redrive();
    expect(report).toMatchObject({ restored: 1, alreadyInTable: 0, archives: [{ key, restored: 1 }] });
    const [item] = r.store.all;
    expect(item).toMatchObject({
      pk: 'customer#c-1',
      sk: `${new Date(NOW.getTime() - 600_000).toISOString()}#${'c-1-600'.padEnd(32, '0')}`,
      status: 'AMBIGUOUS',
      reason: 'SCHEMA_VALIDATION',
      attempts: 0,
      firstSeenAt: '2026-11-24T12:00:01.000Z',
      nextAttemptAt: '2026-11-24T12:00:01.000Z',
      redrivenFrom: `s3://in-memory-archive/${key}`,
      originalFirstSeenAt: '2026-11-20T00:00:00.000Z',
      redrivenBy: 'ops',
    });
    expect(item!.error).toMatch(
      /^re-driven from s3:\/\/in-memory-archive\/stale\/dt=2026-11-24\/.*; last error: data.loyaltyTier: not in the schema$/,
    );
    expect(JSON.parse(item!.payload!)).toMatchObject({ id: 'c-1', data: { loyaltyTier: 'gold' } });
  });

  it('the retry function publishes a re-driven event once the schema accepts it', async () => {
    const r = rig();
    await r.archiveStale(stale('c-1', 600, {}, { loyaltyTier: 'gold' }));
    r.registry.seed('cdc.customer', withLoyalty);
    await r.redrive();
    const summary = await r.sweep();
    expect(summary).toMatchObject({ revived: 1, published: 1, stale: 0 });
    expect(r.publisher.sent.map((s) => s.message.key)).toEqual(['c-1']);
    expect(r.store.all).toEqual([]);
  });

  it('is idempotent: a second run puts nothing back, even after the retry function drained the first', async () => {
    const r = rig();
    await r.archiveStale(
      stale('c-1', 600, {}, { loyaltyTier: 'gold' }),
      stale('c-2', 500, {}, { loyaltyTier: 'blue' }),
    );
    await r.redrive();
    const again = await r.redrive();
    expect(again).toMatchObject({ restored: 0, skipped: { 'already-redriven': 2 } });
    expect(r.store.all).toHaveLength(2);
    r.registry.seed('cdc.customer', withLoyalty);
    await r.sweep();
    expect(r.store.all).toEqual([]);
    expect((await r.redrive()).restored).toBe(0);
    expect(r.store.all).toEqual([]);
  });

  it('leaves an item already in the table as it is (a run that stopped before writing the ledger)', async () => {
    const r = rig();
    const key = await r.archiveStale(stale('c-1', 600));
    await r.redrive();
    r.archive.objects.delete(`stale-redriven/${key.slice('stale/'.length)}.json`);
    const again = await r.redrive();
    expect(again).toMatchObject({ restored: 0, alreadyInTable: 1 });
    expect(r.store.all).toHaveLength(1);
  });

  it('never puts back superseded events, malformed entries, records the consumer could not decode, or events of unknown entities', async () => {
    const r = rig();
    await r.archiveStale(
      parkedChange('s', 900, { status: 'SUPERSEDED', reason: 'SCHEMA_VALIDATION' }),
      stale('m', 800, { reason: 'MALFORMED_EVENT' }),
      stale('u', 700, { reason: 'SCHEMA_NOT_FOUND', payload: { source: 'consumer', base64: 'AAE=' } }),
      { ...stale('o', 600), entity: 'order' },
      stale('ok', 500),
    );
    const plan = await r.plan();
    expect(plan.toRestore).toBe(1);
    expect(plan.skipped).toEqual({ superseded: 1, 'not-a-change-record': 2, 'unknown-entity': 1 });
    await r.redrive();
    expect(r.store.all.map((i) => i.id)).toEqual(['ok']);
  });

  it('puts an event archived twice (an alert failed, the next sweep archived it again) back once', async () => {
    const r = rig();
    const event = stale('c-1', 600);
    await r.archiveStale(event);
    await r.archiveStale(event);
    const report = await r.redrive();
    expect(report).toMatchObject({ restored: 1, skipped: { duplicate: 1 } });
  });

  it('selects by entity, by archive time, or one archive object', async () => {
    const r = rig();
    const first = await r.archiveStale(stale('c-1', 600), { ...stale('i-1', 600), entity: 'invoice' });
    r.later(3_600_000);
    const second = await r.archiveStale(stale('c-2', 500));
    expect((await r.plan({ entity: 'invoice' })).toRestore).toBe(1);
    expect((await r.plan({ since: new Date(NOW.getTime() + 1_800_000) })).archives.map((a) => a.key)).toEqual([second]);
    expect((await r.plan({ archive: first })).toRestore).toBe(2);
    expect((await r.plan({ archive: `s3://in-memory-archive/${first}` })).toRestore).toBe(2);
  });

  it('refuses an --archive that is not in the archive bucket, naming it', async () => {
    const r = rig();
    await expect(r.plan({ archive: 'stale/dt=2026-11-24/2026-11-24T00-00-00-000Z-nope.jsonl' })).rejects.toThrow(
      ArchiveNotFoundError,
    );
    await expect(r.plan({ archive: 's3://other-bucket/stale/dt=2026-11-24/x.jsonl' })).rejects.toThrow(
      /^--archive: .* is not in this stage's archive bucket in-memory-archive/,
    );
    await expect(r.plan({ archive: 'raw/entity=customer/x.jsonl' })).rejects.toThrow(UsageError);
  });
});
