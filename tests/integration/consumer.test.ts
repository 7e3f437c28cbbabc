/**
 * The consumer through the local runtime against Kafka and moto: the real handler in a worker,
 * triggered by the MSK trigger read from serverless.yml, on a private copy of the pipeline.
 */
import { gunzipSync } from 'node:zlib';
import { Kafka, logLevel } from 'kafkajs';
import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import type { MSKEvent } from 'aws-lambda';
import type { PollSummary } from '../../lib/poller';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { type Runtime, startRuntime } from '../../local/runtime';
import { mskRecord } from '../../local/runtime/msk-trigger';
import { scanAll } from '../../local/scratch-tables';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { faultProxy } from '../../local/fault-proxy';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localClientConfig, localConfig, localKafkaBrokers } from '../helpers/local-stack';
import { waitFor } from '../helpers/runtime';
import { customerChange } from '../helpers/schemas';

type Row = Record<string, unknown>;

const kafka = new Kafka({ clientId: 'it-consumer', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });
const glue = new GlueClient(localClientConfig());
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  glue.destroy();
});

async function pipeline(
  functions: string[],
  options: { sourceUrl?: string; env?: Record<string, string> } = {},
): Promise<IsolatedPipeline> {
  const p = await isolatedPipeline({ functions, ...options });
  cleanups.push(() => p.close());
  return p;
}

async function runtime(
  p: IsolatedPipeline,
  tweak: (d: IsolatedPipeline['definitions'][number]) => IsolatedPipeline['definitions'][number] = (d) => d,
): Promise<{ rt: Runtime; logs: string[] }> {
  const logs: string[] = [];
  const rt = await startRuntime(await localConfig(), p.definitions.map(tweak), {
    log: (line) => {
      logs.push(line);
      if (process.env.IT_DEBUG) console.log(line);
    },
  });
  cleanups.push(() => rt.stop());
  return { rt, logs };
}

async function rowsUnder(p: IsolatedPipeline, prefix: string): Promise<{ keys: string[]; rows: Row[] }> {
  const keys = await p.list(prefix);
  const rows: Row[] = [];
  for (const key of keys) {
    const body = await p.get(key);
    rows.push(
      ...gunzipSync(body)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Row),
    );
  }
  return { keys, rows };
}

/** Encoded customer changes, as the poller would publish them, sent to one partition. */
async function produce(
  p: IsolatedPipeline,
  values: { key: string; value: Buffer; eventId?: string }[],
  partition = 0,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: p.topic('customer'),
    acks: -1,
    messages: values.map((v) => ({
      key: v.key,
      value: v.value,
      partition,
      headers: v.eventId ? { 'cdc-event-id': v.eventId } : {},
    })),
  });
  await producer.disconnect();
}

async function encoder(
  p: IsolatedPipeline,
): Promise<(id: string, n: number) => Promise<{ key: string; value: Buffer; eventId: string }>> {
  const serde = new GlueAvroSerde(
    new SchemaCache(new GlueSchemaRegistry(glue, p.registry), { latestTtlMs: 60_000, maxEntries: 10 }),
  );
  return async (id, n) => {
    const eventId = n.toString(16).padStart(32, '0');
    const { bytes } = await serde.encode(
      p.topic('customer'),
      customerChange(
        { id, eventId, updatedAt: new Date(Date.parse('2026-11-24T10:00:00.000Z') + n).toISOString() },
        { id },
      ),
    );
    return { key: id, value: bytes, eventId };
  };
}

describe('the consumer through the local runtime', () => {
  let sim: RunningSimulator | undefined;
  afterAll(async () => sim?.close());

  it('simulator → poller → Kafka → consumer → S3: every event exactly once, flattened, for all three entities', async () => {
    sim = await startSimulatorServer({ seed: 23, faults: { tieRate: 0.3 } });
    sim.simulator.generate(600);
    const p = await pipeline(['poller', 'consumer'], { sourceUrl: sim.url });
    const { rt } = await runtime(p);
    const published: Record<string, number> = {};
    for (const entity of p.entities)
      published[entity] = ((await rt.fire('poller', { entity })) as PollSummary).published;
    const state = sim.simulator.state().entities;
    let deletes = 0;
    for (const entity of p.entities) {
      const records = state[entity as keyof typeof state]!.records;
      expect(published[entity]).toBe(records.length);
      const { keys, rows } = await waitFor(
        `all ${records.length} ${entity} rows in S3`,
        async () => {
          const found = await rowsUnder(p, `raw/entity=${entity}/`);
          return found.rows.length >= records.length ? found : undefined;
        },
        60_000,
      );
      expect(rows).toHaveLength(records.length);
      expect(new Set(rows.map((r) => r._event_id)).size).toBe(rows.length);
      for (const key of keys)
        expect(key).toMatch(
          new RegExp(
            `^raw/entity=${entity}/dt=\\d{4}-\\d{2}-\\d{2}/${p.topic(entity).replace('.', '\\.')}-[0-2]-\\d+-\\d+\\.jsonl\\.gz$`,
          ),
        );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const record of records) {
        const row = byId.get(record.id)!;
        expect(row).toMatchObject({ _op: record.op, _updated_at: record.updatedAt, _kafka_topic: p.topic(entity) });
        const data = record.data as Record<string, unknown> | null;
        const columns = Object.keys(row).filter((k) => !k.startsWith('_') && k !== 'id');
        if (record.op === 'DELETE') {
          deletes += 1;
          expect(columns.length).toBeGreaterThan(4);
          expect(columns.filter((k) => row[k] !== null)).toEqual([]);
          continue;
        }
        const stamp = entity === 'payment' ? 'receivedAt' : 'createdAt';
        expect(row[stamp]).toBe(data![stamp]);
        if (entity === 'customer') {
          const address = data!.address as Record<string, unknown> | null | undefined;
          expect([row.displayName, row.address_city, row.address_postalCode]).toEqual([
            data!.displayName,
            address?.city ?? null,
            address?.postalCode ?? null,
          ]);
        }
        if (entity === 'invoice') {
          expect([row.status, row.total, row.customerId]).toEqual([data!.status, data!.total, data!.customerId]);
          expect(row.lines).toEqual((data!.lines as Row[]).map((l) => ({ description: null, ...l })));
        }
        if (entity === 'payment')
          for (const [field, value] of Object.entries(data!))
            if (typeof value !== 'object' || value === null) expect(row[field]).toEqual(value);
      }
    }
    expect(deletes).toBeGreaterThan(0);
  });

  it('writes the same keys and contents when the same batch is delivered twice', async () => {
    const p = await pipeline(['consumer']);
    const encode = await encoder(p);
    const { rt } = await runtime(p, (d) => ({ ...d, msk: [] }));
    const messages = await Promise.all(['a', 'b', 'c'].map((id, n) => encode(id, n)));
    const event = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/local/x',
      bootstrapServers: localKafkaBrokers().join(','),
      records: {
        [`${p.topic('customer')}-1`]: messages.map((m, i) =>
          mskRecord(p.topic('customer'), 1, {
            key: Buffer.from(m.key),
            value: m.value,
            headers: { 'cdc-event-id': m.eventId },
            offset: String(40 + i),
            timestamp: String(Date.parse('2026-11-24T12:00:00Z')),
            attributes: 0,
          } as never),
        ),
      },
    } as unknown as MSKEvent;
    await rt.fire('consumer', event);
    const first = await Promise.all((await p.list('raw/')).map(async (k) => [k, await p.get(k)] as const));
    await rt.fire('consumer', event);
    const second = await Promise.all((await p.list('raw/')).map(async (k) => [k, await p.get(k)] as const));
    expect(first.map(([k]) => k)).toEqual([
      `raw/entity=customer/dt=2026-11-24/${p.topic('customer')}-1-40-42.jsonl.gz`,
    ]);
    expect(second.map(([k]) => k)).toEqual(first.map(([k]) => k));
    expect(second[0]![1].equals(first[0]![1])).toBe(true);
    expect(gunzipSync(second[0]![1]).toString().trim().split('\n')).toHaveLength(3);
  });

  it('re-delivered with other boundaries, and after a consumer killed between its object and its mark, raw/ holds each offset once', async () => {
    const p = await pipeline(['consumer']);
    const encode = await encoder(p);
    const { rt } = await runtime(p, (d) => ({ ...d, msk: [] }));
    const topic = p.topic('customer');
    const messages = await Promise.all(Array.from({ length: 8 }, (_, i) => encode(`k${i % 3}`, i)));
    const batch = (from: number, to: number) =>
      ({
        eventSource: 'aws:kafka',
        eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/local/x',
        bootstrapServers: localKafkaBrokers().join(','),
        records: {
          [`${topic}-1`]: messages.slice(from, to + 1).map((m, i) =>
            mskRecord(topic, 1, {
              key: Buffer.from(m.key),
              value: m.value,
              headers: { 'cdc-event-id': m.eventId },
              offset: String(40 + from + i),
              timestamp: String(Date.parse('2026-11-24T12:00:00Z') + from + i),
              attributes: 0,
            } as never),
          ),
        },
      }) as unknown as MSKEvent;
    const names = async () => (await p.list('raw/')).map((k) => k.split('/').pop());
    await rt.fire('consumer', batch(0, 4));
    expect(await names()).toEqual([`${topic}-1-40-44.jsonl.gz`]);
    // Killed after the object, before the mark: the mark is as it was before the batch (none).
    const markKey = { partition: { S: `${topic}#1` } };
    expect(
      (await p.dynamodb.send(new GetItemCommand({ TableName: p.rawOffsetsTable, Key: markKey }))).Item,
    ).toMatchObject({
      offset: { N: '44' },
      object: { S: `raw/entity=customer/dt=2026-11-24/${topic}-1-40-44.jsonl.gz` },
    });
    await p.dynamodb.send(new DeleteItemCommand({ TableName: p.rawOffsetsTable, Key: markKey }));
    // Kafka sends again from 40, in a shorter batch: its object replaces the earlier one.
    await rt.fire('consumer', batch(0, 2));
    expect(await names()).toEqual([`${topic}-1-40-42.jsonl.gz`]);
    // And then from 41 (a rebalance): 41 and 42 are skipped.
    expect(await rt.fire('consumer', batch(1, 7))).toMatchObject({ rows: 5, redelivered: 2 });
    const { rows } = await rowsUnder(p, 'raw/');
    expect(rows.map((r) => r._kafka_offset).sort()).toEqual([40, 41, 42, 43, 44, 45, 46, 47]);
    expect(new Set(rows.map((r) => r._event_id)).size).toBe(8);
  });

  it('dead-letters a poison message in the middle of a batch and writes the rest', async () => {
    const p = await pipeline(['consumer']);
    const encode = await encoder(p);
    await produce(p, [
      await encode('a', 1),
      { key: 'poison', value: Buffer.from('<html>502 Bad Gateway</html>') },
      await encode('c', 3),
    ]);
    await runtime(p);
    const letters = await waitFor(
      'the dead letter',
      async () => ((await p.list('dead-letter/')).length > 0 ? p.list('dead-letter/') : undefined),
      60_000,
    );
    expect(letters).toEqual([`dead-letter/entity=customer/${p.topic('customer')}-0-1.json`]);
    const letter = JSON.parse((await p.get(letters[0]!)).toString());
    expect(letter).toMatchObject({
      reason: 'UNDECODABLE',
      topic: p.topic('customer'),
      partition: 0,
      offset: 1,
      key: 'poison',
    });
    expect(Buffer.from(letter.valueBase64, 'base64').toString()).toBe('<html>502 Bad Gateway</html>');
    const { rows } = await waitFor('the other rows', async () => {
      const found = await rowsUnder(p, 'raw/');
      return found.rows.length >= 2 ? found : undefined;
    });
    expect(rows.map((r) => r.id)).toEqual(['a', 'c']);
    const parked = await scanAll(p.dynamodb, p.fallbackTable);
    expect(parked).toEqual([
      expect.objectContaining({ entity: 'customer', id: 'poison', status: 'AMBIGUOUS', reason: 'UNDECODABLE' }),
    ]);
  });

  it('retries a batch while S3 fails and writes it once when S3 is back', async () => {
    const config = await localConfig();
    const moto = String(config.provider.environment?.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000');
    let failing = true;
    const proxy = await faultProxy(moto, (method, path) =>
      failing && method === 'PUT' && path.includes('/raw/') ? 'unavailable' : undefined,
    );
    cleanups.push(() => proxy.close());
    const p = await pipeline(['consumer'], { env: { AWS_ENDPOINT_URL: proxy.url } });
    const encode = await encoder(p);
    await produce(p, await Promise.all(Array.from({ length: 50 }, (_, n) => encode(`k${n}`, n))));
    const { rt, logs } = await runtime(p);
    await waitFor('a failed delivery', () => logs.find((l) => l.includes('failed (attempt 2)')), 60_000);
    expect(await p.list('raw/')).toEqual([]);
    failing = false;
    const { keys, rows } = await waitFor(
      'the batch in S3',
      async () => {
        const found = await rowsUnder(p, 'raw/');
        return found.rows.length >= 50 ? found : undefined;
      },
      60_000,
    );
    expect(proxy.failed).toBeGreaterThanOrEqual(2);
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r._event_id)).size).toBe(50);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(rt.status().join('\n')).toContain('consumer');
  });

  it('writes a 10,000-record batch (the MSK maximum) within the 1 GB function, gzip streamed', async () => {
    const p = await pipeline(['consumer']);
    const encode = await encoder(p);
    const { rt } = await runtime(p, (d) => ({ ...d, msk: [] }));
    const records = [];
    for (let n = 0; n < 10_000; n += 1) {
      const m = await encode(`k${n % 2500}`, n);
      records.push(
        mskRecord(p.topic('customer'), 2, {
          key: Buffer.from(m.key),
          value: m.value,
          headers: { 'cdc-event-id': m.eventId },
          offset: String(n),
          timestamp: String(Date.parse('2026-11-24T12:00:00Z')),
          attributes: 0,
        } as never),
      );
    }
    const started = Date.now();
    const summary = await rt.fire('consumer', {
      eventSource: 'aws:kafka',
      eventSourceArn: 'x',
      bootstrapServers: 'x',
      records: { [`${p.topic('customer')}-2`]: records },
    });
    expect(summary).toMatchObject({ records: 10_000, rows: 10_000, objects: 1, deadLettered: 0 });
    expect(Date.now() - started).toBeLessThan(60_000);
    const { rows } = await rowsUnder(p, 'raw/');
    expect(rows).toHaveLength(10_000);
    expect(p.definitions[0]!.memorySize).toBe(1024);
  });
});
