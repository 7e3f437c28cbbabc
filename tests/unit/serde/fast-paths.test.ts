import { compileSchema } from '../../../lib/avro';
import { InMemorySchemaRegistry } from '../../../lib/registry/in-memory-registry';
import { SchemaCache } from '../../../lib/registry/schema-cache';
import { GlueAvroSerde } from '../../../lib/serde/glue-avro-serde';
import { SchemaValidationError } from '../../../lib/serde/errors';
import { validateRecord } from '../../../lib/serde/validate';
import { customerChange, schemaFile } from '../../helpers/schemas';
import { isoDate, isoTimestamp, seededRandom, valueOf } from './corpus';
import { referenceFrame, referenceType } from './reference-serde';

const ENTITIES = ['customer', 'invoice', 'payment'];
const RECORDS_PER_ENTITY = 3000;

const NEAR_MISSES = [
  '2026-02-29T00:00:00Z',
  '2024-02-29T23:59:59.999Z',
  '2026-02-30T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-00-10T00:00:00Z',
  '2026-01-00T00:00:00Z',
  '2026-01-32T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T24:00:01Z',
  '2026-01-01T23:60:00Z',
  '2026-01-01T23:59:60Z',
  '2026-01-01T00:00:00+24:00',
  '2026-01-01T00:00:00+23:59',
  '2026-01-01T00:00:00-00:60',
  '2026-01-01T00:00:00+99:99',
  '2026-01-01T00:00:00.1234Z',
  '2026-01-01T00:00:00.Z',
  '2026-01-01T00:00:00',
  '2026-01-01 00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '0099-12-31T23:59:59.999Z',
  '1969-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999-14:00',
  '1970-01-01T00:00:00.000+00:00',
  '1970-01-01T00:00:00-00:00',
  '2026-1-01T00:00:00Z',
  '+02026-01-01T00:00:00Z',
  '2026-01-01T00:00:00z',
  '2026-01-01t00:00:00Z',
  '２０２６-01-01T00:00:00Z',
  '2026-01-01T00:00:00Z ',
  ' 2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00+0100',
  '',
];
const DATE_NEAR_MISSES = [
  '2024-02-29',
  '2026-02-29',
  '2026-02-30',
  '2026-04-31',
  '2026-13-01',
  '2026-00-01',
  '2026-01-00',
  '0000-01-01',
  '0001-01-01',
  '0099-12-31',
  '0100-03-01',
  '1900-02-29',
  '2000-02-29',
  '9999-12-31',
  '2026-1-01',
  '2026-01-01T00:00:00Z',
  '',
];

function serdeFor(entity: string): { serde: GlueAvroSerde; schemaVersionId: string } {
  const registry = new InMemorySchemaRegistry();
  const [version] = registry.seed(`cdc.${entity}`, schemaFile(entity));
  const cache = new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 100 });
  return { serde: new GlueAvroSerde(cache), schemaVersionId: version!.schemaVersionId };
}

describe('serde fast paths against the frozen reference serde', () => {
  it.each(ENTITIES)(
    'encodes every generated %s record to the same bytes and decodes the same values',
    async (entity) => {
      const { serde, schemaVersionId } = serdeFor(entity);
      const reference = referenceType(schemaFile(entity));
      const random = seededRandom(ENTITIES.indexOf(entity) + 1);
      let encoded = 0;
      for (let i = 0; i < RECORDS_PER_ENTITY; i += 1) {
        const record = valueOf(reference, random);
        if (!reference.isValid(record, { noUndeclaredFields: true })) continue;
        const bytes = (await serde.encode(`cdc.${entity}`, record)).bytes;
        const expected = referenceFrame(reference, schemaVersionId, record);
        expect(bytes.toString('hex')).toBe(expected.toString('hex'));
        const decoded = (await serde.decode(bytes)).value;
        expect(JSON.stringify(decoded)).toBe(JSON.stringify(reference.fromBuffer(expected.subarray(18))));
        encoded += 1;
      }
      expect(encoded).toBeGreaterThan(RECORDS_PER_ENTITY / 3);
    },
  );

  it.each(ENTITIES)('gives every generated %s record the same validation verdict and violations', (entity) => {
    const type = compileSchema(schemaFile(entity));
    const reference = referenceType(schemaFile(entity));
    const random = seededRandom(100 + ENTITIES.indexOf(entity));
    for (let i = 0; i < RECORDS_PER_ENTITY; i += 1) {
      const record = valueOf(reference, random);
      expect(validateRecord(type, record)).toEqual(validateRecord(reference, record));
    }
  });

  it('accepts and encodes exactly the timestamps the reference accepts, near misses included', () => {
    const schema = JSON.stringify({ type: 'long', logicalType: 'timestamp-millis' });
    const nullable = JSON.stringify(['null', { type: 'long', logicalType: 'timestamp-millis' }]);
    const random = seededRandom(7);
    const values: unknown[] = [...NEAR_MISSES, ...Array.from({ length: 20000 }, () => isoTimestamp(random))];
    values.push(new Date(0), new Date(Number.NaN), 1_700_000_000_000, null, undefined, {});
    for (const definition of [schema, nullable]) {
      const type = compileSchema(definition);
      const reference = referenceType(definition);
      const differing = values.filter(
        (value) =>
          type.isValid(value) !== reference.isValid(value) ||
          (reference.isValid(value) && !type.toBuffer(value).equals(reference.toBuffer(value))),
      );
      expect(differing).toEqual([]);
    }
  });

  it('accepts and encodes exactly the dates the reference accepts, near misses included', () => {
    const random = seededRandom(8);
    const values: unknown[] = [
      ...DATE_NEAR_MISSES,
      ...Array.from({ length: 20000 }, () => isoDate(random)),
      19000,
      null,
    ];
    for (const definition of [
      JSON.stringify({ type: 'int', logicalType: 'date' }),
      JSON.stringify(['null', { type: 'int', logicalType: 'date' }]),
    ]) {
      const type = compileSchema(definition);
      const reference = referenceType(definition);
      const differing = values.filter(
        (value) =>
          type.isValid(value) !== reference.isValid(value) ||
          (reference.isValid(value) && !type.toBuffer(value).equals(reference.toBuffer(value))),
      );
      expect(differing).toEqual([]);
    }
  });

  it('decodes every long and int to the reference strings, or fails as the reference does', () => {
    const random = seededRandom(9);
    const longs = [
      0,
      -1,
      1,
      253402300799999,
      253402300800000,
      -62167219200000,
      -62167219200001,
      8.64e15,
      -8.64e15,
      8.64e15 + 1,
    ];
    for (let i = 0; i < 20000; i += 1) longs.push(Math.floor((random() - 0.5) * 2 ** (1 + random() * 53)));
    const cases: [string, number[]][] = [
      [JSON.stringify({ type: 'long', logicalType: 'timestamp-millis' }), longs],
      [
        JSON.stringify({ type: 'int', logicalType: 'date' }),
        [
          0,
          -1,
          2932896,
          2932897,
          -719528,
          -719529,
          100000000,
          -100000000,
          ...longs.slice(10).map((n) => Math.trunc(n / 2 ** 24) | 0),
        ],
      ],
    ];
    for (const [definition, numbers] of cases) {
      const type = compileSchema(definition);
      const reference = referenceType(definition);
      const raw = compileSchema(JSON.stringify(JSON.parse(definition).type));
      const differing: unknown[] = [];
      for (const n of numbers) {
        const bytes = raw.toBuffer(n);
        const outcome = (t: typeof type): unknown => {
          try {
            return t.fromBuffer(bytes);
          } catch (error) {
            return `${(error as Error).name}: ${(error as Error).message}`;
          }
        };
        if (outcome(type) !== outcome(reference)) differing.push([n, outcome(type), outcome(reference)]);
      }
      expect(differing).toEqual([]);
    }
  });

  it('decodes a frame that is a Uint8Array view into a larger buffer, to the reference values', async () => {
    const { serde, schemaVersionId } = serdeFor('customer');
    const reference = referenceType(schemaFile('customer'));
    const record = customerChange();
    const frame = referenceFrame(reference, schemaVersionId, record);
    const backing = new Uint8Array(frame.length + 10);
    backing.set(frame, 5);
    const view = new Uint8Array(backing.buffer, 5, frame.length);
    expect((await serde.decode(view)).value).toEqual(reference.fromBuffer(frame.subarray(18)));
  });

  it('decodes runs of instants on one day, across midnight and back, to the reference strings', () => {
    const definition = JSON.stringify({ type: 'long', logicalType: 'timestamp-millis' });
    const type = compileSchema(definition);
    const reference = referenceType(definition);
    const raw = compileSchema(JSON.stringify('long'));
    const midnight = Date.UTC(2026, 10, 25);
    const instants = [midnight - 1, midnight - 1, midnight, midnight + 1, midnight - 86_400_000, midnight, 0, 1, 0];
    for (const millis of instants)
      expect(type.fromBuffer(raw.toBuffer(millis))).toBe(reference.fromBuffer(raw.toBuffer(millis)));
  });

  it.each([
    ['month 13', '2026-13-01T10:00:00Z'],
    ['more than millisecond precision', '2026-11-24T10:00:00.1234Z'],
    ['no zone', '2026-11-24T10:00:00'],
  ])('refuses a timestamp with %s with the reference violations', async (_, updatedAt) => {
    const { serde } = serdeFor('customer');
    const reference = referenceType(schemaFile('customer'));
    const record = { ...customerChange(), updatedAt };
    const verdict = validateRecord(reference, record);
    if (verdict.valid) throw new Error('the reference accepts it');
    const expected = new SchemaValidationError('cdc.customer v1', verdict.violations);
    await expect(serde.encode('cdc.customer', record)).rejects.toThrow(expected.message);
  });
});
