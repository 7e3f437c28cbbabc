import { ENTITY_NAMES, type EntityName } from '../../../local/simulator/entities';
import type { RecordState } from '../../../local/simulator';
import { DESIGN_FIELDS, fieldProblems } from './entity-fields';
import { closeTestSimulators, EPOCH, startTestSimulator } from './simulator-harness';

async function generatedRecords(events = 900): Promise<Record<EntityName, RecordState[]>> {
  const simulator = await startTestSimulator({ seed: 21, initialEvents: events, faults: { tieRate: 0.3 } });
  const state = await simulator.state();
  return Object.fromEntries(ENTITY_NAMES.map((entity) => [entity, state.entities[entity]?.records ?? []])) as Record<
    EntityName,
    RecordState[]
  >;
}

const live = (records: readonly RecordState[]): RecordState[] => records.filter((record) => record.op === 'UPSERT');

describe('generated entity data', () => {
  afterEach(closeTestSimulators);

  test.each(ENTITY_NAMES)('every served %s has exactly the fields of DESIGN.md, with their types', async (entity) => {
    const simulator = await startTestSimulator({ seed: 21, initialEvents: 900 });
    const { events } = await simulator.readAllPages(entity, EPOCH, 1000);
    const upserts = events.filter((event) => event.op === 'UPSERT');
    expect(upserts.length).toBeGreaterThan(50);
    for (const event of upserts) {
      expect({ id: event.id, problems: fieldProblems(DESIGN_FIELDS[entity], event.data ?? {}) }).toEqual({
        id: event.id,
        problems: [],
      });
      expect(event.data?.id).toBe(event.id);
    }
  });

  test('serves a DELETE with data null, and keeps it as a tombstone', async () => {
    const records = await generatedRecords();
    const deletes = ENTITY_NAMES.flatMap((entity) => records[entity].filter((record) => record.op === 'DELETE'));
    expect(deletes.length).toBeGreaterThan(0);
    for (const record of deletes) expect(record.data).toBeNull();
  });

  test('makes invoices reference existing customers and payments reference existing invoices', async () => {
    const records = await generatedRecords();
    const customerIds = new Set(live(records.customer).map((record) => record.id));
    const invoiceIds = new Set(live(records.invoice).map((record) => record.id));
    for (const invoice of live(records.invoice)) expect(customerIds).toContain(invoice.data?.customerId);
    for (const payment of live(records.payment)) expect(invoiceIds).toContain(payment.data?.invoiceId);
  });

  test('leaves optional fields sometimes present, sometimes null and sometimes absent', async () => {
    const customers = live((await generatedRecords()).customer).map((record) => record.data ?? {});
    for (const field of ['email', 'phone', 'address']) {
      expect(customers.some((data) => typeof data[field] === 'string' || typeof data[field] === 'object')).toBe(true);
      expect(customers.some((data) => data[field] === null)).toBe(true);
      expect(customers.some((data) => !(field in data))).toBe(true);
    }
  });

  test('stamps changes after the simulated epoch, never before the record was created', async () => {
    const records = await generatedRecords();
    for (const record of [...live(records.customer), ...live(records.invoice)]) {
      expect(record.updatedAt > EPOCH).toBe(true);
      expect(String(record.data?.createdAt) <= record.updatedAt).toBe(true);
    }
  });

  test('totals an invoice from its lines, to the cent', async () => {
    for (const invoice of live((await generatedRecords()).invoice)) {
      const lines = (invoice.data?.lines ?? []) as { quantity: number; unitPrice: number }[];
      const sum = lines.reduce((total, line) => total + line.quantity * line.unitPrice, 0);
      expect(invoice.data?.total).toBeCloseTo(sum, 2);
    }
  });
});
