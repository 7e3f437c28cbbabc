import { ENTITY_NAMES } from '../../../local/simulator/entities';
import { closeTestSimulators, compareChangeOrder, EPOCH, startTestSimulator, tieSizes } from './simulator-harness';

const withTies = (events: number) => ({ seed: 11, initialEvents: events, faults: { tieRate: 0.4 } });

describe('GET /cdc paging', () => {
  afterEach(closeTestSimulators);

  test.each(ENTITY_NAMES)(
    'returns every current %s record exactly once across pages, in (updatedAt, id) order',
    async (entity) => {
      const simulator = await startTestSimulator(withTies(600));
      const { events, pages } = await simulator.readAllPages(entity, EPOCH, 17);
      const expected = (await simulator.state(entity)).entities[entity]?.records ?? [];
      expect(pages).toBeGreaterThan(2);
      expect(events).toEqual(expected.map(({ id, op, updatedAt, data }) => ({ id, op, updatedAt, data })));
      expect([...events].sort(compareChangeOrder)).toEqual(events);
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    },
  );

  test('treats updatedSince as inclusive', async () => {
    const simulator = await startTestSimulator(withTies(300));
    const records = (await simulator.state('invoice')).entities.invoice?.records ?? [];
    const pivot = records[Math.floor(records.length / 2)];
    if (pivot === undefined) throw new Error('no invoices generated');
    const { events } = await simulator.readAllPages('invoice', pivot.updatedAt, 1000);
    expect(events.map((event) => event.id)).toEqual(
      records.filter((record) => record.updatedAt >= pivot.updatedAt).map((record) => record.id),
    );
    expect(events[0]?.updatedAt).toBe(pivot.updatedAt);
  });

  test('returns every event of a tie that straddles a page boundary', async () => {
    const simulator = await startTestSimulator(withTies(600));
    const records = (await simulator.state('customer')).entities.customer?.records ?? [];
    const tieAt = records.find(
      (record) => records.filter((other) => other.updatedAt === record.updatedAt).length >= 5,
    )?.updatedAt;
    if (tieAt === undefined) throw new Error('no tie of 5 or more generated');
    const tieIds = records.filter((record) => record.updatedAt === tieAt).map((record) => record.id);
    const limit = records.findIndex((record) => record.updatedAt === tieAt) + 2;

    const first = await simulator.readPage({ entity: 'customer', updatedSince: EPOCH, limit });
    const second = await simulator.readPage({
      entity: 'customer',
      updatedSince: EPOCH,
      pageToken: first.nextPageToken ?? '',
    });

    expect(first.events.at(-1)).toMatchObject({ updatedAt: tieAt });
    expect(second.events[0]).toMatchObject({ updatedAt: tieAt });
    const served = [...first.events, ...second.events].map((event) => (event as { id: string }).id);
    expect(served).toEqual(expect.arrayContaining(tieIds));
  });

  test('generates ties of 5 to 50 events sharing one updatedAt when tieRate is set', async () => {
    const simulator = await startTestSimulator(withTies(1500));
    const state = await simulator.state();
    const sizes = ENTITY_NAMES.flatMap((entity) => tieSizes(state.entities[entity]?.records ?? []));
    expect(sizes.filter((size) => size >= 5).length).toBeGreaterThan(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
  });

  test('never serves more than limit events on a page, and 100 when no limit is given', async () => {
    const simulator = await startTestSimulator({ seed: 3, initialEvents: 900 });
    const limited = await simulator.readPage({ entity: 'payment', updatedSince: EPOCH, limit: 7 });
    const unlimited = await simulator.readPage({ entity: 'payment', updatedSince: EPOCH });
    expect(limited.events).toHaveLength(7);
    expect(unlimited.events).toHaveLength(100);
  });

  test('answers the last page with a null nextPageToken, even when it is exactly full', async () => {
    const simulator = await startTestSimulator({ seed: 3, initialEvents: 120 });
    const total = (await simulator.state('customer')).entities.customer?.records.length ?? 0;
    const page = await simulator.readPage({ entity: 'customer', updatedSince: EPOCH, limit: total });
    expect(page.events).toHaveLength(total);
    expect(page.nextPageToken).toBeNull();
  });

  test('keeps a paging sequence going across changes made meanwhile, ending on the current state', async () => {
    const simulator = await startTestSimulator({ seed: 5, initialEvents: 200 });
    const first = await simulator.readPage({ entity: 'invoice', updatedSince: EPOCH, limit: 10 });
    await simulator.generate(100, ['invoice']);

    const served = [...first.events] as { id: string }[];
    for (let token = first.nextPageToken; token !== null; ) {
      const page = await simulator.readPage({ pageToken: token });
      served.push(...(page.events as { id: string }[]));
      token = page.nextPageToken;
    }

    const lastServedVersion = new Map(served.map((event) => [event.id, event]));
    const records = (await simulator.state('invoice')).entities.invoice?.records ?? [];
    for (const { id, op, updatedAt, data } of records)
      expect(lastServedVersion.get(id)).toEqual({ id, op, updatedAt, data });
  });
});
