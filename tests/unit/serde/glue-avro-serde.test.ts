import { deflateSync } from 'node:zlib';
import { SchemaCache } from '../../../lib/registry/schema-cache';
import { SchemaValidationError, UndecodableMessageError } from '../../../lib/serde/errors';
import { GlueAvroSerde } from '../../../lib/serde/glue-avro-serde';
import { readGlueFrame } from '../../../lib/serde/glue-frame';
import { InMemorySchemaRegistry as FakeRegistry } from '../../../lib/registry/in-memory-registry';
import { customerChange, dataFields, evolve, schemaFile } from '../../helpers/schemas';

const NAME = 'cdc.customer';

function setup(...definitions: string[]): { registry: FakeRegistry; serde: GlueAvroSerde; cache: SchemaCache } {
  const registry = new FakeRegistry();
  registry.seed(NAME, ...definitions);
  const cache = new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 100 });
  return { registry, serde: new GlueAvroSerde(cache), cache };
}

const v1 = schemaFile('customer');
const v2 = evolve(v1, (s) => dataFields(s).push({ name: 'loyaltyTier', type: ['null', 'string'], default: null }));

describe('GlueAvroSerde', () => {
  it('round-trips a record uncompressed, with ISO timestamps back as ISO strings', async () => {
    const { serde } = setup(v1);
    const record = customerChange();
    const encoded = await serde.encode(NAME, record);
    expect(readGlueFrame(encoded.bytes).compression).toBe('none');
    expect((await serde.decode(encoded.bytes)).value).toEqual(record);
  });

  it('round-trips a zlib-compressed record, and the body is the deflated Avro', async () => {
    const { serde } = setup(v1);
    const record = customerChange();
    const plain = await serde.encode(NAME, record);
    const zipped = await serde.encode(NAME, record, 'zlib');
    expect([...zipped.bytes.subarray(0, 2)]).toEqual([3, 5]);
    expect(zipped.bytes.subarray(18)).toEqual(deflateSync(plain.bytes.subarray(18)));
    expect((await serde.decode(zipped.bytes)).value).toEqual(record);
  });

  it('refuses an invalid record with every failing field path, expected and received type', async () => {
    const { serde } = setup(v1);
    const record = customerChange(
      { op: 'MERGE' },
      { balance: 'lots', address: { line1: 'x', city: 'y', country: 7 }, createdAt: 'yesterday' },
    );
    const error = await serde.encode(NAME, record).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaValidationError);
    expect((error as SchemaValidationError).violations).toEqual([
      { path: 'op', expected: 'one of UPSERT, DELETE', received: 'string "MERGE"' },
      { path: 'data.address.country', expected: 'string', received: 'number 7' },
      { path: 'data.balance', expected: 'double', received: 'string "lots"' },
      { path: 'data.createdAt', expected: 'ISO-8601 timestamp (at most ms precision)', received: 'string "yesterday"' },
    ]);
    expect(error).toMatchObject({ reason: 'SCHEMA_VALIDATION', retriable: false });
  });

  it('reads data written with v1 through a v2 reader (new optional field defaults to null)', async () => {
    const { serde, registry } = setup(v1);
    const written = await serde.encode(NAME, customerChange());
    registry.seed(NAME, v2);
    const reader = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 0, maxEntries: 10 }));
    const decoded = await reader.decode(written.bytes, NAME);
    expect((decoded.value.data as Record<string, unknown>).loyaltyTier).toBeNull();
  });

  it('reads data written with v2 through a v1 reader (the new field is skipped)', async () => {
    const registry = new FakeRegistry();
    registry.seed(NAME, v1);
    // A consumer that cached v1 as the latest, then a producer that already writes v2.
    const v1Reader = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));
    await v1Reader.encode(NAME, customerChange());
    registry.seed(NAME, v2);
    const v2Writer = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));
    const written = await v2Writer.encode(NAME, customerChange({}, { loyaltyTier: 'GOLD' }));
    const decoded = await v1Reader.decode(written.bytes, NAME);
    expect(decoded.value).toEqual(customerChange());
    expect((await v2Writer.decode(written.bytes)).value).toEqual(customerChange({}, { loyaltyTier: 'GOLD' }));
  });

  it('gives a typed error for a truncated Avro body, naming the schema version', async () => {
    const { serde } = setup(v1);
    const { bytes, schemaVersionId } = await serde.encode(NAME, customerChange());
    const error = await serde.decode(bytes.subarray(0, 30)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndecodableMessageError);
    expect((error as Error).message).toContain(`schema version ${schemaVersionId}`);
  });

  it('compiles each schema version once however many events it encodes', async () => {
    const { serde, cache } = setup(v1);
    for (let i = 0; i < 50; i += 1) await serde.encode(NAME, customerChange({ id: `c-${i}` }));
    expect(cache.compiledVersions).toBe(1);
  });

  it('encodes records larger than its initial scratch buffer', async () => {
    const { serde } = setup(v1);
    const record = customerChange({}, { displayName: 'x'.repeat(200_000) });
    expect((await serde.decode((await serde.encode(NAME, record)).bytes)).value).toEqual(record);
  });
});
