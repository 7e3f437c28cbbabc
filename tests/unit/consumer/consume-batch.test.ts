import { gunzipSync } from 'node:zlib';
import type { MSKEvent } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { consumeBatch, fromMskRecord, InMemoryPartitionMarks, InMemoryRawStore } from '../../../lib/consumer';
import { InMemoryFallbackStore } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { columnPlan, flattenChange } from '../../../lib/raw';
import { InMemorySchemaRegistry, SchemaCache, SchemaNotFoundError } from '../../../lib/registry';
import { GlueAvroSerde, writeGlueHeader } from '../../../lib/serde';
import { mskRecord } from '../../../local/runtime/msk-trigger';
import { customerChange, schemaFile } from '../../helpers/schemas';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');

async function rig() {
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const serde = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));
  const raw = new InMemoryRawStore();
  const fallback = new InMemoryFallbackStore();
  const marks = new InMemoryPartitionMarks();
  const slept: number[] = [];
  const deps = {
    serde,
    raw,
    fallback,
    marks,
    log: createLogger({}, () => undefined),
    sleep: async (ms: number) => void slept.push(ms),
    now: () => new Date(T0),
  };
  const options = {
    entityOf: (t: string) => (t === 'cdc.customer' ? 'customer' : undefined),
    gzip: true,
    decodeAttempts: 3,
  };
  const message = async (offset: number, id: string, op = 'UPSERT'): Promise<KafkaMessage> => {
    const change = customerChange(
      { id, op, eventId: `${offset}`.padStart(32, '0'), ...(op === 'DELETE' ? { data: null } : {}) },
      { id },
    );
    const { bytes } = await serde.encode('cdc.customer', change);
    return {
      key: Buffer.from(id),
      value: bytes,
      headers: { 'cdc-event-id': change.eventId as string },
      offset: String(offset),
      timestamp: String(T0 + offset),
      attributes: 0,
    } as KafkaMessage;
  };
  const event = (byPartition: Record<number, KafkaMessage[]>): MSKEvent =>
    ({
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/local/x',
      bootstrapServers: '127.0.0.1:9092',
      records: Object.fromEntries(
        Object.entries(byPartition).map(([p, ms]) => [
          `cdc.customer-${p}`,
          ms.map((m) => mskRecord('cdc.customer', Number(p), m)),
        ]),
      ),
    }) as unknown as MSKEvent;
  const rows = (key: string) =>
    gunzipSync(raw.objects.get(key)!.body)
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    registry,
    serde,
    raw,
    fallback,
    marks,
    slept,
    run: (e: MSKEvent) => consumeBatch(e, deps, options),
    message,
    event,
    rows,
  };
}

describe('the consumer core', () => {
  it('writes one object per topic-partition, named by its offsets, rows in offset order', async () => {
    const r = await rig();
    const summary = await r.run(
      r.event({
        0: [await r.message(10, 'c-1'), await r.message(11, 'c-2', 'DELETE')],
        1: [await r.message(7, 'c-3')],
      }),
    );
    expect(summary).toEqual({
      records: 3,
      partitions: 2,
      objects: 2,
      rows: 3,
      deadLettered: 0,
      redelivered: 0,
      bytes: expect.any(Number),
      byEntity: {
        customer: {
          records: 3,
          objects: 2,
          rows: 3,
          redelivered: 0,
          deadLettered: {},
          newestRecordAt: expect.any(Number),
        },
      },
    });
    expect([...r.raw.objects.keys()].sort()).toEqual([
      'raw/entity=customer/dt=2026-11-24/cdc.customer-0-10-11.jsonl.gz',
      'raw/entity=customer/dt=2026-11-24/cdc.customer-1-7-7.jsonl.gz',
    ]);
    const rows = r.rows('raw/entity=customer/dt=2026-11-24/cdc.customer-0-10-11.jsonl.gz');
    expect(rows.map((x) => [x._kafka_offset, x.id, x._op, x.displayName])).toEqual([
      [10, 'c-1', 'UPSERT', 'Ada Lovelace'],
      [11, 'c-2', 'DELETE', null],
    ]);
    expect(rows[0]).toMatchObject({
      _updated_at: '2026-11-24T10:00:00.000Z',
      _event_id: '10'.padStart(32, '0'),
      _kafka_topic: 'cdc.customer',
      address_city: 'London',
    });
  });

  it('writes the same keys and bytes when the same batch is delivered again', async () => {
    const r = await rig();
    const event = r.event({ 0: [await r.message(1, 'a'), await r.message(2, 'b')] });
    await r.run(event);
    const first = new Map([...r.raw.objects].map(([k, v]) => [k, v.body]));
    await r.run(event);
    expect([...r.raw.objects.keys()]).toEqual([...first.keys()]);
    for (const [k, body] of first) expect(r.raw.objects.get(k)!.body.equals(body)).toBe(true);
  });

  it('dead-letters a poison record in the middle of a batch and writes the others', async () => {
    const r = await rig();
    const poison = { ...(await r.message(2, 'bad')), value: Buffer.from('{"not":"avro"}') } as KafkaMessage;
    const summary = await r.run(r.event({ 0: [await r.message(1, 'a'), poison, await r.message(3, 'c')] }));
    expect(summary).toMatchObject({ rows: 2, deadLettered: 1 });
    expect(r.rows('raw/entity=customer/dt=2026-11-24/cdc.customer-0-1-3.jsonl.gz').map((x) => x.id)).toEqual([
      'a',
      'c',
    ]);
    const letter = JSON.parse(r.raw.objects.get('dead-letter/entity=customer/cdc.customer-0-2.json')!.body.toString());
    expect(letter).toMatchObject({
      reason: 'UNDECODABLE',
      topic: 'cdc.customer',
      partition: 0,
      offset: 2,
      key: 'bad',
      valueBase64: Buffer.from('{"not":"avro"}').toString('base64'),
    });
    expect(letter.error).toContain('not');
    expect(r.fallback.events).toEqual([
      expect.objectContaining({
        entity: 'customer',
        id: 'bad',
        status: 'AMBIGUOUS',
        reason: 'UNDECODABLE',
        eventId: '2'.padStart(32, '0'),
        payload: expect.objectContaining({
          source: 'consumer',
          offset: 2,
          deadLetter: { bucket: 'in-memory-raw', key: 'dead-letter/entity=customer/cdc.customer-0-2.json' },
        }),
      }),
    ]);
  });

  it('asks Glue again for an unknown schema version, then dead-letters it as SCHEMA_NOT_FOUND', async () => {
    const r = await rig();
    const unknown = await r.message(5, 'x');
    writeGlueHeader(unknown.value!, '0b8e2f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'none');
    const summary = await r.run(r.event({ 0: [unknown, await r.message(6, 'y')] }));
    expect(summary).toMatchObject({ rows: 1, deadLettered: 1 });
    expect(r.slept).toEqual([200, 400]);
    expect(r.fallback.events[0]).toMatchObject({ reason: 'SCHEMA_NOT_FOUND', attempts: 3 });
  });

  it('asks Glue about an unknown schema version once per batch, not once per record', async () => {
    const r = await rig();
    const missing = '0b8e2f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const unknown = async (offset: number, partition: number) => {
      const m = await r.message(offset, `x-${partition}-${offset}`);
      writeGlueHeader(m.value!, missing, 'none');
      return m;
    };
    const byPartition: Record<number, KafkaMessage[]> = { 0: [], 1: [] };
    for (let offset = 0; offset < 500; offset += 1) byPartition[offset % 2]!.push(await unknown(offset, offset % 2));
    r.registry.calls.length = 0;
    const summary = await r.run(r.event(byPartition));
    expect(summary).toMatchObject({ records: 500, rows: 0, deadLettered: 500 });
    expect(r.registry.calls.filter((c) => c === `byId:${missing}`)).toHaveLength(3);
    expect(r.slept).toEqual([200, 400]);
    expect(r.fallback.events.every((e) => e.reason === 'SCHEMA_NOT_FOUND' && e.attempts === 3)).toBe(true);
  });

  it('writes the rows of a version that Glue knows by the second ask, with one lookup for all its records', async () => {
    const r = await rig();
    const first = await r.message(1, 'a');
    const version = r.registry.seed('cdc.customer')[0]!.schemaVersionId;
    let misses = 1;
    const lagging = Object.assign(Object.create(r.registry) as InMemorySchemaRegistry, {
      getVersionById: async (id: string) => {
        if (id === version && misses-- > 0) throw new SchemaNotFoundError(`version ${id} not yet visible`);
        return r.registry.getVersionById(id);
      },
    });
    const cold = new GlueAvroSerde(new SchemaCache(lagging, { latestTtlMs: 60_000, maxEntries: 10 }));
    const slept: number[] = [];
    const deps = {
      serde: cold,
      raw: r.raw,
      fallback: r.fallback,
      marks: r.marks,
      log: createLogger({}, () => undefined),
      sleep: async (ms: number) => void slept.push(ms),
      now: () => new Date(T0),
    };
    r.registry.calls.length = 0;
    const summary = await consumeBatch(
      r.event({ 0: [first, await r.message(2, 'b')], 1: [await r.message(3, 'c')] }),
      deps,
      { entityOf: () => 'customer', gzip: true, decodeAttempts: 3 },
    );
    expect(summary).toMatchObject({ rows: 3, deadLettered: 0 });
    expect(slept).toEqual([200]);
    expect(r.registry.calls.filter((c) => c === `byId:${version}`)).toHaveLength(1);
    expect(r.fallback.events).toEqual([]);
  });

  it('fails the batch (to be redelivered) when S3 fails, and writes it whole on the next delivery', async () => {
    const r = await rig();
    const event = r.event({ 0: [await r.message(1, 'a')], 1: [await r.message(1, 'b')] });
    r.raw.failPuts = 1;
    await expect(r.run(event)).rejects.toThrow('SlowDown');
    await r.run(event);
    expect(r.raw.objects.size).toBe(2);
  });

  it('fails the batch when Glue is unreachable and nothing is cached, without dead-lettering anything', async () => {
    const r = await rig();
    const event = r.event({ 0: [await r.message(1, 'a')] });
    r.registry.down = true;
    const cold = new GlueAvroSerde(new SchemaCache(r.registry, { latestTtlMs: 60_000, maxEntries: 10 }));
    await expect(
      consumeBatch(
        event,
        { serde: cold, raw: r.raw, fallback: r.fallback, marks: r.marks, log: createLogger({}, () => undefined) },
        { entityOf: () => 'customer', gzip: true, decodeAttempts: 3 },
      ),
    ).rejects.toMatchObject({ reason: 'REGISTRY_UNAVAILABLE' });
    expect(r.raw.objects.size).toBe(0);
    expect(r.fallback.events).toEqual([]);
  });

  it('writes a batch of many 64 KiB chunks as exactly the lines of its records, flattened one by one', async () => {
    const r = await rig();
    const messages = await Promise.all(Array.from({ length: 3000 }, (_, i) => r.message(100 + i, `c-${i}`)));
    const event = r.event({ 0: messages });
    await r.run(event);
    const plan = columnPlan(schemaFile('customer'));
    let expected = '';
    for (const record of event.records['cdc.customer-0']!.map(fromMskRecord)) {
      const decoded = await r.serde.decode(record.value);
      expected += `${JSON.stringify(flattenChange(decoded.value, decoded.schemaVersionId, record, plan))}\n`;
    }
    const object = r.raw.objects.get('raw/entity=customer/dt=2026-11-24/cdc.customer-0-100-3099.jsonl.gz')!;
    expect(expected.length).toBeGreaterThan(10 * 64 * 1024);
    expect(gunzipSync(object.body).toString('utf8')).toBe(expected);
  });

  it('reads the mark once, lists the prefix once and writes the object and the mark once per partition batch', async () => {
    const r = await rig();
    const calls: string[] = [];
    const raw = r.raw;
    const counted = {
      bucket: raw.bucket,
      put: (k: string, b: Buffer, c: string) => (calls.push('put'), raw.put(k, b, c)),
      list: (p: string) => (calls.push('list'), raw.list(p)),
      delete: (k: string) => (calls.push('delete'), raw.delete(k)),
    };
    const marks = {
      get: (t: string, p: number) => (calls.push('get'), r.marks.get(t, p)),
      advance: (...a: Parameters<InMemoryPartitionMarks['advance']>) => (calls.push('advance'), r.marks.advance(...a)),
    };
    const deps = { serde: r.serde, raw: counted, fallback: r.fallback, marks, log: createLogger({}, () => undefined) };
    const options = { entityOf: () => 'customer', gzip: true, decodeAttempts: 3 };
    await consumeBatch(r.event({ 0: [await r.message(1, 'a'), await r.message(2, 'b')] }), deps, options);
    await consumeBatch(r.event({ 0: [await r.message(3, 'c')] }), deps, options);
    expect([...calls].sort()).toEqual(['advance', 'advance', 'get', 'get', 'list', 'list', 'put', 'put']);
    // The object is durable before the mark says so.
    expect(calls.indexOf('put')).toBeLessThan(calls.indexOf('advance'));
  });

  it('skips a batch the raw bucket holds whole even when its records cannot be decoded now (Glue unreachable)', async () => {
    const r = await rig();
    const event = r.event({ 0: [await r.message(1, 'a'), await r.message(2, 'b')] });
    await r.run(event);
    const written = new Map(r.raw.objects);
    r.registry.down = true;
    const cold = new GlueAvroSerde(new SchemaCache(r.registry, { latestTtlMs: 60_000, maxEntries: 10 }));
    const deps = {
      serde: cold,
      raw: r.raw,
      fallback: r.fallback,
      marks: r.marks,
      log: createLogger({}, () => undefined),
    };
    const options = { entityOf: () => 'customer', gzip: true, decodeAttempts: 3 };
    expect(await consumeBatch(event, deps, options)).toMatchObject({ rows: 0, objects: 0, redelivered: 2 });
    expect(r.raw.objects).toEqual(written);
    // A batch that brings a record the bucket does not hold still fails, to be redelivered.
    const longer = r.event({ 0: [await r.message(1, 'a'), await r.message(2, 'b'), await r.message(3, 'c')] });
    await expect(consumeBatch(longer, deps, options)).rejects.toMatchObject({ reason: 'REGISTRY_UNAVAILABLE' });
    expect(r.fallback.events).toEqual([]);
  });

  it('refuses a topic of no configured entity, and an event that is not from MSK', async () => {
    const r = await rig();
    const event = r.event({ 0: [await r.message(1, 'a')] });
    const renamed = {
      ...event,
      records: { 'other-0': event.records['cdc.customer-0']!.map((x) => ({ ...x, topic: 'other' })) },
    } as MSKEvent;
    await expect(r.run(renamed)).rejects.toThrow('topic other belongs to no configured entity');
    await expect(r.run({ records: {} } as unknown as MSKEvent)).rejects.toThrow('consumer expects an MSK event');
  });
});

describe('the consumer core: each (topic, partition, offset) once in raw/', () => {
  /** Every row's offset, over all objects of partition 0. */
  const offsetsInRaw = (r: Awaited<ReturnType<typeof rig>>): number[] =>
    [...r.raw.objects.keys()]
      .filter((k) => k.includes('/cdc.customer-0-'))
      .flatMap((k) => r.rows(k).map((row) => Number(row._kafka_offset)))
      .sort((a, b) => a - b);
  const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  async function batch(r: Awaited<ReturnType<typeof rig>>, from: number, to: number): Promise<MSKEvent> {
    return r.event({ 0: await Promise.all(range(from, to).map((o) => r.message(o, `k-${o % 7}`))) });
  }

  it('skips what a re-delivery with other boundaries brings again, and says how much', async () => {
    const r = await rig();
    await r.run(await batch(r, 0, 4));
    await r.run(await batch(r, 5, 9));
    expect(await r.run(await batch(r, 3, 7))).toMatchObject({ rows: 0, objects: 0, redelivered: 5 });
    expect(await r.run(await batch(r, 8, 12))).toMatchObject({ rows: 3, objects: 1, redelivered: 2 });
    expect(offsetsInRaw(r)).toEqual(range(0, 12));
    expect([...r.raw.objects.keys()].map((k) => k.split('/').pop())).toContain('cdc.customer-0-10-12.jsonl.gz');
    expect(r.marks.marks.get('cdc.customer#0')).toMatchObject({ offset: 12, key: 'k-5' });
  });

  it('a consumer killed between its object and its mark: the re-delivery, shorter or longer, replaces that object', async () => {
    for (const redeliveredTo of [2, 7]) {
      const r = await rig();
      r.marks.failAdvances = 1;
      await expect(r.run(await batch(r, 0, 4))).rejects.toThrow('killed before the mark moved');
      expect(offsetsInRaw(r)).toEqual(range(0, 4));
      await r.run(await batch(r, 0, redeliveredTo));
      expect(offsetsInRaw(r)).toEqual(range(0, redeliveredTo));
      await r.run(await batch(r, redeliveredTo + 1, 9));
      expect(offsetsInRaw(r)).toEqual(range(0, 9));
    }
  });

  it('a consumer killed after its mark moved, before removing the earlier object: the next re-delivery removes it', async () => {
    const r = await rig();
    r.marks.failAdvances = 1;
    await expect(r.run(await batch(r, 0, 4))).rejects.toThrow();
    r.raw.failLists = 1;
    await expect(r.run(await batch(r, 0, 2))).rejects.toThrow('InternalError');
    // Both objects are there (0-4 and 0-2), the mark at 2: not committed, so Kafka sends from 0 again.
    expect(r.raw.objects.size).toBe(2);
    expect(await r.run(await batch(r, 0, 5))).toMatchObject({ redelivered: 3, rows: 3 });
    expect(offsetsInRaw(r)).toEqual(range(0, 5));
  });

  it('a partition created again (offsets from 0 anew) is written whole, not skipped below the old mark', async () => {
    const r = await rig();
    await r.run(await batch(r, 0, 9));
    const later = (await batch(r, 0, 3)).records['cdc.customer-0']!.map((m) => ({
      ...m,
      timestamp: T0 + 60_000 + m.offset,
    }));
    const warned: unknown[] = [];
    const summary = await consumeBatch(
      { ...(await batch(r, 0, 3)), records: { 'cdc.customer-0': later } } as MSKEvent,
      {
        serde: r.serde,
        raw: r.raw,
        fallback: r.fallback,
        marks: r.marks,
        log: createLogger({}, (l) => void warned.push(l)),
      },
      { entityOf: () => 'customer', gzip: true, decodeAttempts: 3 },
    );
    expect(summary).toMatchObject({ rows: 4, redelivered: 0 });
    expect(JSON.stringify(warned)).toContain('partition created again');
    expect(r.marks.marks.get('cdc.customer#0')).toMatchObject({ offset: 3, timestamp: T0 + 60_003 });
  });

  it('a mark moved by another writer fails the batch, naming the cause, and the re-delivery then skips what that writer wrote', async () => {
    const r = await rig();
    const real = r.marks.advance.bind(r.marks);
    r.marks.advance = async (topic, partition, expected, next) => {
      await real(topic, partition, expected, { ...next, offset: 9, timestamp: T0 + 9 });
      return real(topic, partition, expected, next);
    };
    await expect(r.run(await batch(r, 0, 4))).rejects.toThrow('is a second consumer');
    r.marks.advance = real;
    expect(await r.run(await batch(r, 0, 4))).toMatchObject({ rows: 0, redelivered: 5 });
  });

  it('under any batch boundaries and kills at any step, every offset is in raw/ exactly once (seeded)', async () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const r = await rig();
      let state = seed;
      const random = (n: number): number => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return Math.floor(state / 65536) % n; // the high bits: an LCG's low bits cycle quickly
      };
      const END = 40;
      let committed = 0;
      while (committed < END) {
        // A rebalance may send again from before the committed offset.
        const from = Math.max(0, committed - (random(4) === 0 ? random(6) : 0));
        const to = Math.min(END - 1, from + random(8));
        const kill = random(4); // 0: none, 1: the put, 2: before the mark, 3: after the mark, before cleanup
        if (kill === 1) r.raw.failPuts = 1;
        if (kill === 2) r.marks.failAdvances = 1;
        if (kill === 3) r.raw.failLists = 1;
        try {
          await r.run(await batch(r, from, to));
          committed = Math.max(committed, to + 1);
        } catch {
          r.raw.failPuts = 0;
          r.marks.failAdvances = 0;
          r.raw.failLists = 0;
        }
      }
      expect({ seed, offsets: offsetsInRaw(r) }).toEqual({ seed, offsets: range(0, END - 1) });
    }
  });
});
