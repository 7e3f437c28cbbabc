import { gunzipSync } from 'node:zlib';
import { columnPlan, flattenChange, jsonLines, rawObjectKey } from '../../../lib/raw';
import { customerChange, evolve, schemaFile } from '../../helpers/schemas';

const origin = { topic: 'cdc.customer', partition: 2, offset: 41 };

describe('raw rows (DESIGN.md boundary 5)', () => {
  it('derives the columns of each entity from its schema: nested records flattened, arrays kept', () => {
    expect(columnPlan(schemaFile('customer')).columns.map((c) => c.name)).toEqual([
      'displayName',
      'email',
      'phone',
      'address_line1',
      'address_city',
      'address_postalCode',
      'address_country',
      'balance',
      'active',
      'createdAt',
    ]);
    expect(columnPlan(schemaFile('invoice')).columns.map((c) => c.name)).toEqual([
      'customerId',
      'currency',
      'status',
      'lines',
      'total',
      'dueDate',
      'createdAt',
    ]);
    expect(columnPlan(schemaFile('payment')).columns.map((c) => c.name)).not.toContain('id');
  });

  it('flattens an upsert with metadata columns first, in a fixed order', () => {
    const row = flattenChange(
      customerChange(),
      'f0e1d2c3-0000-4000-8000-000000000001',
      origin,
      columnPlan(schemaFile('customer')),
    );
    expect(Object.keys(row).slice(0, 8)).toEqual([
      '_op',
      '_updated_at',
      '_event_id',
      '_schema_version_id',
      '_kafka_topic',
      '_kafka_partition',
      '_kafka_offset',
      'id',
    ]);
    expect(row).toMatchObject({
      _op: 'UPSERT',
      _updated_at: '2026-11-24T10:00:00.000Z',
      _kafka_topic: 'cdc.customer',
      _kafka_partition: 2,
      _kafka_offset: 41,
      id: 'c-1',
      address_line1: '1 Analytical St',
      address_city: 'London',
      address_postalCode: null,
      address_country: 'GB',
      balance: 12.5,
      active: true,
    });
  });

  it('writes a delete with every data column null and the id kept', () => {
    const row = flattenChange(
      customerChange({ op: 'DELETE', data: null }),
      'v',
      origin,
      columnPlan(schemaFile('customer')),
    );
    expect(row).toMatchObject({ _op: 'DELETE', id: 'c-1', displayName: null, address_city: null, balance: null });
    expect(Object.keys(row)).toHaveLength(8 + 10);
  });

  it('gives an optional nested record that is null all-null columns', () => {
    const row = flattenChange(customerChange({}, { address: null }), 'v', origin, columnPlan(schemaFile('customer')));
    expect(row).toMatchObject({
      address_line1: null,
      address_city: null,
      address_postalCode: null,
      address_country: null,
    });
  });

  it('keeps arrays as JSON arrays', () => {
    const lines = [{ sku: 'A-1', description: null, quantity: 2, unitPrice: 9.5 }];
    const change = {
      eventId: 'e'.repeat(32),
      op: 'UPSERT',
      id: 'i-1',
      updatedAt: '2026-11-24T10:00:00.000Z',
      data: {
        id: 'i-1',
        customerId: 'c-1',
        currency: 'EUR',
        status: 'OPEN',
        lines,
        total: 19,
        dueDate: null,
        createdAt: '2026-11-01T00:00:00.000Z',
      },
    };
    expect(flattenChange(change, 'v', origin, columnPlan(schemaFile('invoice'))).lines).toEqual(lines);
  });

  it('refuses a schema whose fields would collide or use the metadata prefix', () => {
    const collide = evolve(schemaFile('customer'), (s) => {
      const data = (
        s.fields.find((f) => f.name === 'data')!.type as [string, { fields: Record<string, unknown>[] }]
      )[1];
      data.fields.push({ name: 'address_city', type: ['null', 'string'], default: null });
    });
    expect(() => columnPlan(collide)).toThrow('two data fields flatten to the same column "address_city"');
    const reserved = evolve(schemaFile('customer'), (s) => {
      const data = (
        s.fields.find((f) => f.name === 'data')!.type as [string, { fields: Record<string, unknown>[] }]
      )[1];
      data.fields.push({ name: '_op', type: ['null', 'string'], default: null });
    });
    expect(() => columnPlan(reserved)).toThrow('reserved for metadata');
  });

  it('names an object after its entity, day and offsets', () => {
    expect(rawObjectKey('customer', 'cdc.customer', 2, 100, 199, Date.parse('2026-11-24T23:59:59.999Z'), true)).toBe(
      'raw/entity=customer/dt=2026-11-24/cdc.customer-2-100-199.jsonl.gz',
    );
    expect(rawObjectKey('customer', 'cdc.customer', 0, 5, 5, Date.parse('2026-11-25T00:00:00.000Z'), false)).toBe(
      'raw/entity=customer/dt=2026-11-25/cdc.customer-0-5-5.jsonl',
    );
  });

  it('writes JSON lines, gzip-compressed as produced, identical for the same rows', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `row ${i}` }));
    const zipped = await jsonLines(rows, true);
    const lines = gunzipSync(zipped).toString('utf8').split('\n');
    expect(lines).toHaveLength(20_001);
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines[12_345]!)).toEqual({ i: 12_345, text: 'row 12345' });
    expect((await jsonLines(rows, true)).equals(zipped)).toBe(true);
    expect((await jsonLines(rows.slice(0, 2), false)).toString()).toBe(
      '{"i":0,"text":"row 0"}\n{"i":1,"text":"row 1"}\n',
    );
  });

  it('writes, across its 64 KiB chunks, exactly the lines of the rows one by one, multi-byte text included', async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => ({ i, text: `zeile ${i} · ünïcödé 🚀`.repeat(1 + (i % 7)) }));
    const expected = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    expect(gunzipSync(await jsonLines(rows, true)).toString('utf8')).toBe(expected);
    expect((await jsonLines(rows, false)).toString('utf8')).toBe(expected);
    expect((await jsonLines([], true)).length).toBeGreaterThan(0);
    expect(gunzipSync(await jsonLines([], true)).length).toBe(0);
  });
});
