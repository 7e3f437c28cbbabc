import { toChangeRecord } from '../../../lib/change/change-record';
import { compileSchema } from '../../../lib/avro';
import { validateRecord } from '../../../lib/serde/validate';
import { ENTITY_NAMES, Simulator } from '../../../local/simulator';
import { customerChange, schemaFile } from '../../helpers/schemas';

const types = Object.fromEntries(ENTITY_NAMES.map((e) => [e, compileSchema(schemaFile(e))]));

function recordsOf(simulator: Simulator, entity: (typeof ENTITY_NAMES)[number]) {
  return simulator.state([entity]).entities[entity]?.records ?? [];
}

describe('schemas/*.avsc against the simulator', () => {
  it.each(ENTITY_NAMES)('accepts every %s change the simulator generates', (entity) => {
    const simulator = new Simulator({ seed: 11 });
    simulator.generate(3000);
    const records = recordsOf(simulator, entity);
    expect(records.length).toBeGreaterThan(100);
    expect(records.some((r) => r.op === 'DELETE')).toBe(true);
    const invalid = records
      .map((r) => ({
        id: r.id,
        result: validateRecord(
          types[entity]!,
          toChangeRecord(entity, {
            id: r.id,
            op: r.op,
            updatedAt: r.updatedAt,
            data: r.data as Record<string, unknown> | null,
          }),
        ),
      }))
      .filter((r) => !r.result.valid);
    expect(invalid).toEqual([]);
    simulator.close();
  });

  it.each(ENTITY_NAMES)('rejects every schema-breaking %s change at the path the simulator broke', (entity) => {
    const simulator = new Simulator({ seed: 5, faults: { schemaBreakRate: 0.5 } });
    simulator.generate(1500);
    const broken = recordsOf(simulator, entity).filter((r) => r.broken === 'SCHEMA');
    expect(broken.length).toBeGreaterThan(5);
    const kinds = new Set<string>();
    for (const r of broken) {
      const result = validateRecord(
        types[entity]!,
        toChangeRecord(entity, { id: r.id, op: r.op, updatedAt: r.updatedAt, data: r.data as Record<string, unknown> }),
      );
      expect(result.valid).toBe(false);
      if (!result.valid) expect(result.violations.map((v) => v.path)).toContain(`data.${r.schemaBreak?.path}`);
      kinds.add(String(r.schemaBreak?.kind));
    }
    expect(kinds.size).toBeGreaterThanOrEqual(2);
    simulator.close();
  });
});

describe('what a schema refuses', () => {
  const customer = types.customer!;
  const invoice = types.invoice!;
  const invalid = (type: typeof customer, record: Record<string, unknown>): string[] => {
    const result = validateRecord(type, record);
    return result.valid ? [] : result.violations.map((v) => `${v.path}: ${v.expected}`);
  };

  it('accepts a complete record, and one whose optional fields are absent', () => {
    expect(invalid(customer, customerChange())).toEqual([]);
    const { email: _e, phone: _p, address: _a, ...required } = customerChange().data as Record<string, unknown>;
    expect(invalid(customer, customerChange({}, {}) && { ...customerChange(), data: required })).toEqual([]);
  });

  it('accepts a DELETE without data', () => {
    expect(invalid(customer, customerChange({ op: 'DELETE', data: null }))).toEqual([]);
  });

  it('refuses a missing required field', () => {
    const { displayName: _d, ...data } = customerChange().data as Record<string, unknown>;
    expect(invalid(customer, { ...customerChange(), data })).toEqual(['data.displayName: string']);
  });

  it('refuses a wrong type, a null where a value is required, and an unknown op', () => {
    expect(invalid(customer, customerChange({ op: 'MERGE', id: 42 }, { active: 'yes', balance: null }))).toEqual([
      'op: one of UPSERT, DELETE',
      'id: string',
      'data.balance: double',
      'data.active: boolean',
    ]);
  });

  it('refuses timestamps that are not exact ISO-8601 instants with at most ms precision', () => {
    for (const bad of [
      '2026-11-24 10:00:00',
      '2026-11-24T10:00:00.0001Z',
      '2026-13-01T00:00:00.000Z',
      1795564800000,
      '',
    ]) {
      expect(invalid(customer, customerChange({ updatedAt: bad }))).toEqual([
        'updatedAt: ISO-8601 timestamp (at most ms precision)',
      ]);
    }
  });

  it('refuses an impossible calendar date and an unknown enum symbol in an invoice', () => {
    const record = {
      eventId: 'e',
      op: 'UPSERT',
      id: 'i-1',
      updatedAt: '2026-11-24T10:00:00.000Z',
      data: {
        id: 'i-1',
        customerId: 'c-1',
        currency: 'EUR',
        status: 'REFUNDED',
        lines: [{ sku: 's', description: null, quantity: 1.5, unitPrice: 2 }],
        total: 2,
        dueDate: '2026-02-30',
        createdAt: '2026-11-24T10:00:00.000Z',
      },
    };
    expect(invalid(invoice, record)).toEqual([
      'data.status: one of DRAFT, OPEN, PAID, VOID',
      'data.lines[0].quantity: int',
      'data.dueDate: null | date YYYY-MM-DD',
    ]);
  });

  it('refuses fields the schema does not declare, naming them', () => {
    expect(
      invalid(
        customer,
        customerChange({}, { nickname: 'Ada', address: { line1: 'x', city: 'y', country: 'GB', floor: 3 } }),
      ),
    ).toEqual([
      'data.address.floor: no such field in cdc.pipeline.Address',
      'data.nickname: no such field in cdc.pipeline.Customer',
    ]);
  });
});
