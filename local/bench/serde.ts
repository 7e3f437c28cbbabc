/**
 * Serde speed, as ratios to JSON in the same run: encode/decode events/s of a realistic
 * customer change vs JSON.stringify/JSON.parse of the same record, the scratch-buffer encode vs
 * avsc's toBuffer, and the schema cache's hit path vs a cold compile.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { measure, measurePair, printSection } from './measure';
import type { BenchRow } from './results-table';
import { InMemorySchemaRegistry } from '../../lib/registry/in-memory-registry';
import { SchemaCache } from '../../lib/registry/schema-cache';
import { compileSchema } from '../../lib/avro';
import { GlueAvroSerde } from '../../lib/serde/glue-avro-serde';

const definition = readFileSync(path.join(__dirname, '../../schemas/customer.avsc'), 'utf8');
const record = {
  eventId: '9f86d081884c7d659a2feaa0c55ad015',
  op: 'UPSERT',
  id: 'c-000042',
  updatedAt: '2026-11-24T10:00:00.123Z',
  data: {
    id: 'c-000042',
    displayName: 'Ada Lovelace & Co. Ltd',
    email: 'accounts@lovelace.example',
    phone: '+44 20 7946 0958',
    address: { line1: '12 Analytical Engine Street', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
    balance: 10482.37,
    active: true,
    createdAt: '2024-03-01T08:30:00.000Z',
  },
};

/** Prints every serde figure; returns the encode and decode rows of the run's table. */
export async function benchSerde(): Promise<BenchRow[]> {
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', definition);
  const cache = new SchemaCache(registry, { latestTtlMs: 3_600_000, maxEntries: 100 });
  const serde = new GlueAvroSerde(cache);
  const encoded = (await serde.encode('cdc.customer', record)).bytes;
  const zipped = (await serde.encode('cdc.customer', record, 'zlib')).bytes;
  const json = JSON.stringify(record);
  const { type } = await cache.latest('cdc.customer');

  // The table's two rows: each measured in slices alternating with its JSON baseline.
  const [stringify, encode] = await measurePair(
    { name: 'JSON.stringify(record)', op: () => JSON.stringify(record) },
    { name: 'serde.encode (validate + Avro + Glue header)', op: () => serde.encode('cdc.customer', record) },
  );
  printSection(`encode (one ${encoded.length}-byte Glue message; JSON is ${json.length} bytes)`, stringify, [
    encode,
    await measure('serde.encode, zlib', () => serde.encode('cdc.customer', record, 'zlib')),
    await measure('avsc toBuffer alone (allocates per call)', () => type.toBuffer(record)),
    await measure('avsc encode into a reused buffer alone', () => type.encode(record, scratch, 18)),
  ]);
  const [parse, decode] = await measurePair(
    { name: 'JSON.parse(json)', op: () => JSON.parse(json) },
    { name: 'serde.decode (writer schema from cache)', op: () => serde.decode(encoded) },
  );
  printSection('decode', parse, [decode, await measure('serde.decode, zlib', () => serde.decode(zipped))]);
  const hit = await measure('cache hit: latest(schema)', () => cache.latest('cdc.customer'));
  printSection('schema cache', hit, [
    await measure('cold: compile the schema (avsc Type.forSchema)', () => compileSchema(definition), 0.5),
  ]);
  return [
    {
      stage: `serde encode: validate + Avro + Glue header (${encoded.length}-byte message)`,
      figure: encode.opsPerSecond,
      unit: 'events/s',
      baseline: { name: `JSON.stringify, same record (${json.length} bytes)`, figure: stringify.opsPerSecond },
      target: { kind: 'ratio at least', value: 1 },
    },
    {
      stage: 'serde decode: Glue header + Avro, writer schema cached',
      figure: decode.opsPerSecond,
      unit: 'events/s',
      baseline: { name: 'JSON.parse, same record', figure: parse.opsPerSecond },
      target: { kind: 'ratio at least', value: 1.2 },
    },
  ];
}

const scratch = Buffer.allocUnsafe(64 * 1024);
