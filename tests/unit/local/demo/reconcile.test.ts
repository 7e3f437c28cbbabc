import { changeKey, reconcileEntity, type SourceRecord } from '../../../../local/demo/reconcile';

const upsert = (
  id: string,
  updatedAt: string,
  data: Record<string, unknown>,
  broken: string | null = null,
): SourceRecord => ({ id, op: 'UPSERT', updatedAt, data, broken });
const row = (id: string, updatedAt: string, columns: Record<string, unknown>): Record<string, unknown> => ({
  id,
  _updated_at: updatedAt,
  _event_id: 'e',
  ...columns,
});

describe('reconcileEntity', () => {
  it('equal when every live record is a row with the same flattened columns and deletes have none', () => {
    const records = [
      upsert('a', 't1', { name: 'A', address: { city: 'X' } }),
      { id: 'b', op: 'DELETE', updatedAt: 't2', data: null, broken: null },
    ];
    const v = reconcileEntity('customer', records, [row('a', 't1', { name: 'A', address_city: 'X' })], new Set());
    expect(v).toMatchObject({ valid: 2, liveRows: 1, deltaRows: 1, matching: 2, rowsEqual: 1, problemCount: 0 });
  });

  it('names a differing column, a missing row, a deleted row still present and a row the source does not have', () => {
    const records = [
      upsert('a', 't1', { name: 'A' }),
      upsert('b', 't1', { name: 'B' }),
      { id: 'c', op: 'DELETE', updatedAt: 't3', data: null, broken: null },
    ];
    const v = reconcileEntity(
      'customer',
      records,
      [row('a', 't1', { name: 'Z' }), row('c', 't0', { name: 'C' }), row('x', 't1', { name: 'X' })],
      new Set(),
    );
    expect(v.problemCount).toBe(4);
    expect(v.problems.join('\n')).toMatch(/a: name: table "Z", source "A"/);
    expect(v.problems.join('\n')).toMatch(/b: missing from the table/);
    expect(v.problems.join('\n')).toMatch(/c: deleted at the source .* still in the table/);
    expect(v.problems.join('\n')).toMatch(/x: in the table but not at the source/);
  });

  it('an older _updated_at is a difference even when the columns agree', () => {
    const v = reconcileEntity(
      'customer',
      [upsert('a', 't2', { name: 'A' })],
      [row('a', 't1', { name: 'A' })],
      new Set(),
    );
    expect(v.problems).toEqual(['customer a: _updated_at: table t1, source t2']);
  });

  it('an invalid latest change must be parked or archived under its exact (id, updatedAt); the table row is not judged', () => {
    const records = [upsert('a', 't2', { name: 7 }, 'SCHEMA'), upsert('b', 't2', { name: 8 }, 'SCHEMA')];
    const rows = [row('a', 't1', { name: 'older' })];
    const v = reconcileEntity('customer', records, rows, new Set([changeKey('a', 't2'), changeKey('b', 't1')]));
    expect(v).toMatchObject({ invalid: 2, invalidAccounted: 1, problemCount: 1 });
    expect(v.problems[0]).toMatch(
      /b: its latest change \(t2, SCHEMA\) is neither in the table nor parked nor archived/,
    );
  });

  it('arrays of records compare with the nulls of absent optional fields dropped', () => {
    const v = reconcileEntity(
      'invoice',
      [upsert('i', 't', { lines: [{ sku: 's', note: undefined }] })],
      [row('i', 't', { lines: [{ sku: 's', note: null }] })],
      new Set(),
    );
    expect(v.problemCount).toBe(0);
  });
});
