import { ENTITY_NAMES } from '../../../local/simulator/entities';
import { closeTestSimulators, EPOCH, startTestSimulator, type TestSimulator } from './simulator-harness';

const totalChanges = async (simulator: TestSimulator): Promise<number> => {
  const state = await simulator.state();
  return ENTITY_NAMES.reduce((sum, entity) => sum + (state.entities[entity]?.counts.total ?? 0), 0);
};

describe('admin API', () => {
  afterEach(closeTestSimulators);

  test('POST /admin/generate appends count changes spread over every entity', async () => {
    const simulator = await startTestSimulator();
    const { status, body } = await simulator.admin('POST', '/admin/generate', { count: 300 });
    expect(status).toBe(200);
    const generated = (body as { generated: Record<string, number> }).generated;
    expect(Object.values(generated).reduce((sum, count) => sum + count, 0)).toBe(300);
    for (const entity of ENTITY_NAMES) expect(generated[entity]).toBeGreaterThan(30);
    expect(await totalChanges(simulator)).toBe(300);
  });

  test('POST /admin/generate with entities changes only those, creating a missing parent first', async () => {
    const simulator = await startTestSimulator();
    await simulator.generate(50, ['payment']);
    const { customer, invoice, payment } = (await simulator.state()).entities;
    expect([customer?.counts, invoice?.counts]).toEqual([
      { total: 1, creates: 1, updates: 0, deletes: 0, schemaBroken: 0 },
      { total: 1, creates: 1, updates: 0, deletes: 0, schemaBroken: 0 },
    ]);
    expect(payment?.counts.total).toBe(48);
  });

  test('POST /admin/generate without a valid count answers 400', async () => {
    const simulator = await startTestSimulator();
    expect((await simulator.admin('POST', '/admin/generate', {})).status).toBe(400);
    expect((await simulator.admin('POST', '/admin/generate', { count: 5, entities: ['order'] })).status).toBe(400);
  });

  test('POST /admin/reset empties the stores and counters, keeps the faults, and can reseed', async () => {
    const simulator = await startTestSimulator({ seed: 1, initialEvents: 100, faults: { tieRate: 0.2 } });
    const { status, body } = await simulator.admin('POST', '/admin/reset', { seed: 9 });
    expect([status, (body as { seed: number }).seed]).toEqual([200, 9]);
    const state = await simulator.state();
    expect(state).toMatchObject({ seed: 9, faults: { tieRate: 0.2 }, counters: { requestsServed: 1 } });
    expect((await simulator.readPage({ entity: 'customer', updatedSince: EPOCH })).events).toEqual([]);
  });

  test('GET /admin/state counts the requests served, by status, and the faults injected', async () => {
    const simulator = await startTestSimulator({ initialEvents: 10, faults: { rate429: 1 } });
    await (await simulator.fetchCdc({ entity: 'customer', updatedSince: EPOCH })).text();
    await (await simulator.fetchCdc({ entity: 'nope', updatedSince: EPOCH })).text();
    const { counters } = await simulator.state();
    expect(counters).toMatchObject({
      requestsServed: 2,
      responsesByStatus: { '429': 1, '400': 1 },
      faultsInjected: { rate429: 1 },
    });
  });

  test('GET /admin/state?entity= reports only that entity', async () => {
    const simulator = await startTestSimulator({ initialEvents: 30 });
    expect(Object.keys((await simulator.state('invoice')).entities)).toEqual(['invoice']);
    expect((await simulator.admin('GET', '/admin/state?entity=order')).status).toBe(400);
  });

  test('liveRate keeps generating changes while the server runs', async () => {
    const simulator = await startTestSimulator({ faults: { liveRate: 500 } });
    const deadline = Date.now() + 2000;
    while ((await totalChanges(simulator)) < 20 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await totalChanges(simulator)).toBeGreaterThanOrEqual(20);
  });
});
