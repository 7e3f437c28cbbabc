import { gunzipSync } from 'node:zlib';
import type { MSKEvent } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { consumeBatch, InMemoryRawStore } from '../../../lib/consumer';
import { type FallbackStore, InMemoryFallbackStore } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { archiveAndAlert, InMemoryAlerts } from '../../../lib/redrive';
import { InMemorySchemaRegistry, SchemaCache, SchemaNotFoundError } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import { mskRecord } from '../../../local/runtime/msk-trigger';
import { InMemoryStaleArchive } from '../../../ops/archive/in-memory-stale-archive';
import { applyConsumerRedrive } from '../../../ops/redrive-consumer/apply';
import { InMemoryFailedBatches } from '../../../ops/redrive-consumer/failed-batches';
import {
  formatConsumerRedrivePlan,
  formatConsumerRedriveReport,
} from '../../../ops/redrive-consumer/format-redrive-consumer';
import { planConsumerRedrive } from '../../../ops/redrive-consumer/plan';
import { customerChange, schemaFile } from '../../helpers/schemas';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const NOW = new Date('2026-11-24T12:00:00.000Z');
const ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/local/x';

/**
 * A consumer whose Glue does not show the customer version yet (`hidden`), the fallback table,
 * the raw bucket and the on-failure destination in memory, and the redrive over the same stores.
 */
async function rig() {
  const registry = new InMemorySchemaRegistry();
  const version = registry.seed('cdc.customer', schemaFile('customer'))[0]!.schemaVersionId;
  const hidden = new Set([version]);
  const lagging = Object.assign(Object.create(registry) as InMemorySchemaRegistry, {
    getVersionById: async (id: string) => {
      if (hidden.has(id)) throw new SchemaNotFoundError(`version ${id} not found (in memory)`);
      return registry.getVersionById(id);
    },
  });
  const serde = new GlueAvroSerde(new SchemaCache(lagging, { latestTtlMs: 60_000, maxEntries: 10 }));
  const writer = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));
  const raw = new InMemoryRawStore();
  const store = new InMemoryFallbackStore();
  // The consumer parks into the same table the redrive reads.
  const fallback: FallbackStore = store;
  const failedBatches = new InMemoryFailedBatches('in-memory-raw');
  const archive = new InMemoryStaleArchive();
  const log = createLogger({}, () => undefined);
  const consume = (event: MSKEvent) =>
    consumeBatch(
      event,
      { serde, raw, fallback, marks: null, log, sleep: async () => undefined, now: () => NOW },
      { entityOf: (t) => (t === 'cdc.customer' ? 'customer' : undefined), gzip: true, decodeAttempts: 2 },
    );
  const message = async (offset: number, id: string): Promise<KafkaMessage> => {
    const change = customerChange({ id, eventId: `${offset}`.padStart(32, '0') }, { id });
    const { bytes } = await writer.encode('cdc.customer', change);
    return {
      key: Buffer.from(id),
      value: bytes,
      headers: { 'cdc-event-id': change.eventId as string },
      offset: String(offset),
      timestamp: String(T0 + offset),
      attributes: 0,
    } as KafkaMessage;
  };
  const event = (partition: number, messages: KafkaMessage[]): MSKEvent =>
    ({
      eventSource: 'aws:kafka',
      eventSourceArn: ARN,
      bootstrapServers: '127.0.0.1:9092',
      records: { [`cdc.customer-${partition}`]: messages.map((m) => mskRecord('cdc.customer', partition, m)) },
    }) as unknown as MSKEvent;
  const sources = {
    parked: store,
    archive,
    deadLetters: { read: async (_bucket: string, key: string) => raw.objects.get(key)?.body.toString('utf8') },
    failedBatches,
    serde,
  };
  const plan = () => planConsumerRedrive(sources, { entities: ['customer', 'invoice', 'payment'] });
  const apply = (p: Awaited<ReturnType<typeof plan>>) =>
    applyConsumerRedrive(
      { parked: store, archive, failedBatches, consume, now: () => NOW, operator: 'ops-redrive-consumer by test' },
      p,
    );
  const rows = (key: string) =>
    gunzipSync(raw.objects.get(key)!.body)
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  /** What the retry function does with an item it gave up: STALE, archived (with an alert), deleted. */
  const giveUpAsStale = async () => {
    for (const item of store.all)
      await store.setStatus(item, item.status, 'STALE', { staleBecause: 'older than 3 days' });
    await archiveAndAlert(
      { store, archive, alerts: new InMemoryAlerts(), now: () => NOW, owner: 'retry-sweep', stage: 'test' },
      100,
    );
  };
  return {
    registry,
    version,
    hidden,
    raw,
    store,
    archive,
    failedBatches,
    consume,
    message,
    event,
    plan,
    apply,
    rows,
    giveUpAsStale,
  };
}

describe('the consumer redrive', () => {
  it('leaves a dead-lettered record whose schema version Glue still does not know where it is', async () => {
    const r = await rig();
    await r.consume(r.event(0, [await r.message(7, 'c-7')]));
    expect(r.store.all).toHaveLength(1);
    const plan = await r.plan();
    expect(plan).toMatchObject({ toRedrive: 0, toReplay: 0, skipped: { 'version-unknown': 1 } });
    expect(formatConsumerRedrivePlan(plan, 'test', 'fb')).toContain('version-unknown');
    const report = await r.apply(plan);
    expect(report).toMatchObject({ redriven: 0, replayed: 0 });
    expect(r.store.all).toHaveLength(1);
  });

  it('once the version exists, writes the row to raw as the consumer would, under a key made of its own offsets, and removes the item', async () => {
    const r = await rig();
    await r.consume(r.event(0, [await r.message(6, 'c-6'), await r.message(7, 'c-7')]));
    expect(r.store.all.map((i) => [i.id, i.reason])).toEqual([
      ['c-6', 'SCHEMA_NOT_FOUND'],
      ['c-7', 'SCHEMA_NOT_FOUND'],
    ]);
    expect([...r.raw.objects.keys()].filter((k) => k.startsWith('raw/'))).toEqual([]);
    r.hidden.clear();
    const plan = await r.plan();
    expect(plan).toMatchObject({ toRedrive: 2, toReplay: 0 });
    const report = await r.apply(plan);
    expect(report).toMatchObject({ redriven: 2, busy: 0, failedAgain: 0 });
    expect([...r.raw.objects.keys()].filter((k) => k.startsWith('raw/')).sort()).toEqual([
      'raw/entity=customer/dt=2026-11-24/cdc.customer-0-6-6.jsonl.gz',
      'raw/entity=customer/dt=2026-11-24/cdc.customer-0-7-7.jsonl.gz',
    ]);
    expect(r.rows('raw/entity=customer/dt=2026-11-24/cdc.customer-0-7-7.jsonl.gz')).toEqual([
      expect.objectContaining({
        id: 'c-7',
        _op: 'UPSERT',
        _event_id: '7'.padStart(32, '0'),
        _schema_version_id: r.version,
        _kafka_topic: 'cdc.customer',
        _kafka_partition: 0,
        _kafka_offset: 7,
        address_city: 'London',
      }),
    ]);
    expect(r.store.all).toEqual([]);
    expect(formatConsumerRedriveReport(report)).toContain('2 dead-lettered record(s) written to raw');
  });

  it('writes a dead letter the retry function gave up as STALE (archived, its item gone) once the version exists, and only once', async () => {
    const r = await rig();
    await r.consume(r.event(1, [await r.message(9, 'c-9')]));
    await r.giveUpAsStale();
    expect(r.store.all).toEqual([]);
    r.hidden.clear();
    const plan = await r.plan();
    expect(plan).toMatchObject({ toRedrive: 1 });
    expect(plan.deadLetters[0]).toMatchObject({
      origin: { kind: 'archive' },
      letter: { entity: 'customer', id: 'c-9', reason: 'SCHEMA_NOT_FOUND' },
    });
    expect(await r.apply(plan)).toMatchObject({ redriven: 1 });
    expect(r.rows('raw/entity=customer/dt=2026-11-24/cdc.customer-1-9-9.jsonl.gz').map((x) => x.id)).toEqual(['c-9']);
    expect(await r.plan()).toMatchObject({ toRedrive: 0, skipped: { 'already-redriven': 1 } });
  });

  it('does not touch an item the retry function holds now', async () => {
    const r = await rig();
    await r.consume(r.event(0, [await r.message(7, 'c-7')]));
    r.hidden.clear();
    const plan = await r.plan();
    await r.store.claim(
      r.store.all[0]!,
      'retry-sweep',
      NOW.toISOString(),
      new Date(NOW.getTime() + 60_000).toISOString(),
    );
    const report = await r.apply(plan);
    expect(report).toMatchObject({ redriven: 0, busy: 1 });
    expect([...r.raw.objects.keys()].filter((k) => k.startsWith('raw/'))).toEqual([]);
    expect(r.store.all).toHaveLength(1);
  });

  it('replays a batch the MSK mapping gave up on through the consumer, then removes it from the destination', async () => {
    const r = await rig();
    r.hidden.clear();
    const event = r.event(2, [await r.message(40, 'a'), await r.message(41, 'b')]);
    const key = 'aws/lambda/3f1c0000-0000-0000-0000-000000000000/cdc.customer-2/2026/11/24/2026-11-24T10.05.00-0d9c';
    r.failedBatches.objects.set(
      key,
      JSON.stringify({ requestContext: { condition: 'RetryAttemptsExhausted' }, version: '1.0', payload: event }),
    );
    const plan = await r.plan();
    expect(plan).toMatchObject({ toRedrive: 0, toReplay: 1 });
    expect(plan.batches[0]).toMatchObject({ key, records: 2, condition: 'RetryAttemptsExhausted' });
    const report = await r.apply(plan);
    expect(report).toMatchObject({ replayed: 1 });
    expect(r.rows('raw/entity=customer/dt=2026-11-24/cdc.customer-2-40-41.jsonl.gz').map((x) => x.id)).toEqual([
      'a',
      'b',
    ]);
    expect(r.failedBatches.objects.size).toBe(0);
  });

  it('names an on-failure object it cannot read as an MSK batch, and leaves it there', async () => {
    const r = await rig();
    r.failedBatches.objects.set('aws/lambda/x/cdc.customer-0/2026/11/24/2026-11-24T10.05.00-1', '{"version":"1.0"}');
    const plan = await r.plan();
    expect(plan).toMatchObject({ toReplay: 0, skipped: { unreadable: 1 } });
    await r.apply(plan);
    expect(r.failedBatches.objects.size).toBe(1);
  });
});
