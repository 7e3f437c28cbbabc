import type { ChangeEvent, JsonValue } from '../../../local/simulator/types';
import { DESIGN_FIELDS, fieldProblems } from './entity-fields';
import { closeTestSimulators, EPOCH, startTestSimulator, type TestSimulator } from './simulator-harness';

const customerPage = { entity: 'customer', updatedSince: EPOCH, limit: 20 };

async function statusesOf(simulator: TestSimulator, requests: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let n = 0; n < requests; n++) {
    const response = await simulator.fetchCdc(customerPage);
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

function isWellFormed(entry: JsonValue): entry is JsonValue & ChangeEvent {
  return (
    entry !== null &&
    typeof entry === 'object' &&
    !Array.isArray(entry) &&
    typeof entry.id === 'string' &&
    !Number.isNaN(Date.parse(String(entry.updatedAt)))
  );
}

describe('fault injection', () => {
  afterEach(closeTestSimulators);

  test('injects no fault unless asked to', async () => {
    const simulator = await startTestSimulator({ seed: 2, initialEvents: 300 });
    expect(new Set(await statusesOf(simulator, 30))).toEqual(new Set([200]));
    const { events } = await simulator.readAllPages('customer', EPOCH, 10);
    expect(events.every((event) => isWellFormed(event as unknown as JsonValue))).toBe(true);
    expect((await simulator.state()).counters.faultsInjected).toEqual({
      rate429: 0,
      rate5xx: 0,
      slow: 0,
      hang: 0,
      malformed: 0,
      schemaBreak: 0,
      updateWhilePaging: 0,
      lateCommit: 0,
    });
  });

  test('answers 429 with a Retry-After header in seconds when rate429 strikes', async () => {
    const simulator = await startTestSimulator({ initialEvents: 20, faults: { rate429: 1, retryAfterSeconds: 2 } });
    const response = await simulator.fetchCdc(customerPage);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ error: expect.stringContaining('retry after 2') });
  });

  test('answers 500, 502 or 503 to about rate5xx of the requests', async () => {
    const simulator = await startTestSimulator({ initialEvents: 20, faults: { rate5xx: 0.3 } });
    const statuses = await statusesOf(simulator, 200);
    const failures = statuses.filter((status) => status !== 200);
    expect(failures.length).toBeGreaterThan(35);
    expect(failures.length).toBeLessThan(85);
    expect(new Set(failures)).toEqual(new Set([500, 502, 503]));
    expect((await simulator.state()).counters.faultsInjected.rate5xx).toBe(failures.length);
  });

  test('delays a response by slowMs when slowRate strikes', async () => {
    const simulator = await startTestSimulator({ initialEvents: 20, faults: { slowMs: 120, slowRate: 1 } });
    const started = performance.now();
    expect((await simulator.fetchCdc(customerPage)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  test('holds a request for hangMs when hangRate strikes, so a client with a shorter timeout gives up', async () => {
    const simulator = await startTestSimulator({ initialEvents: 20, faults: { hangRate: 1, hangMs: 2000 } });
    const started = performance.now();
    const url = `${simulator.url}/cdc?entity=customer&updatedSince=${encodeURIComponent(EPOCH)}`;
    await expect(fetch(url, { signal: AbortSignal.timeout(300) })).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError' }),
    );
    expect(performance.now() - started).toBeLessThan(1500);
    expect((await simulator.state()).counters.faultsInjected.hang).toBe(1);
  });

  test('answers a hung request after hangMs to a client that waits', async () => {
    const simulator = await startTestSimulator({ initialEvents: 20, faults: { hangRate: 1, hangMs: 150 } });
    const started = performance.now();
    expect((await simulator.fetchCdc(customerPage)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('slips one malformed entry into each page when malformedRate is 1, beside all the real changes', async () => {
    const simulator = await startTestSimulator({ seed: 4, initialEvents: 300, faults: { malformedRate: 1 } });
    const { events, pages } = await simulator.readAllPages('customer', EPOCH, 25);
    const entries = events as unknown as JsonValue[];
    const junk = entries.filter((entry) => !isWellFormed(entry));
    const state = await simulator.state('customer');
    expect(junk).toHaveLength(pages);
    expect(entries.filter(isWellFormed).map((entry) => entry.id)).toEqual(
      state.entities.customer?.records.map((record) => record.id),
    );
    expect(state.entities.customer?.malformedServed.map((served) => served.entry)).toEqual(junk);
    expect(state.entities.customer?.malformedServed.every((served) => served.broken === 'MALFORMED')).toBe(true);
  });

  test('flags every schema-breaking change as broken: SCHEMA in admin state, and only those', async () => {
    const simulator = await startTestSimulator({ seed: 8, initialEvents: 600, faults: { schemaBreakRate: 0.15 } });
    const state = await simulator.state();
    const invoices = state.entities.invoice?.records.filter((record) => record.op === 'UPSERT') ?? [];
    const broken = invoices.filter((record) => record.broken === 'SCHEMA');
    expect(broken.length).toBeGreaterThan(5);
    for (const record of invoices) {
      const problems = fieldProblems(DESIGN_FIELDS.invoice, record.data ?? {});
      if (record.broken === 'SCHEMA') expect(problems.join('\n')).toContain(record.schemaBreak?.path);
      else expect(problems).toEqual([]);
    }
    expect(state.entities.invoice?.brokenChanges.length).toBeGreaterThanOrEqual(broken.length);
    expect(state.counters.faultsInjected.schemaBreak).toBeGreaterThanOrEqual(broken.length);
  });

  test('moves records already served in a paging sequence to a later updatedAt, so they appear again later', async () => {
    const simulator = await startTestSimulator({ seed: 6, initialEvents: 300, faults: { updateWhilePagingRate: 1 } });
    const { events } = await simulator.readAllPages('customer', EPOCH, 10);
    const firstSeen = new Map<string, ChangeEvent>();
    const seenAgain = events.filter((event) => {
      const earlier = firstSeen.get(event.id);
      if (earlier === undefined) firstSeen.set(event.id, event);
      return earlier !== undefined;
    });
    expect(seenAgain.length).toBeGreaterThan(0);
    for (const event of seenAgain) expect(event.updatedAt > (firstSeen.get(event.id)?.updatedAt ?? '')).toBe(true);
    expect((await simulator.state()).counters.faultsInjected.updateWhilePaging).toBeGreaterThanOrEqual(
      seenAgain.length,
    );
  });

  test('changes faults at run time through POST /admin/faults, and rejects unknown settings with 400', async () => {
    const simulator = await startTestSimulator({ initialEvents: 20 });
    await simulator.setFaults({ rate429: 1 });
    expect((await simulator.fetchCdc(customerPage)).status).toBe(429);
    await simulator.setFaults({ preset: 'none' });
    expect((await simulator.fetchCdc(customerPage)).status).toBe(200);
    const typo = await simulator.admin('POST', '/admin/faults', { rate492: 1 });
    expect(typo).toEqual({ status: 400, body: { error: expect.stringContaining('unknown fault setting "rate492"') } });
    const outOfRange = await simulator.admin('POST', '/admin/faults', { rate5xx: 2 });
    expect(outOfRange).toEqual({
      status: 400,
      body: { error: expect.stringContaining('rate5xx must be a number between 0 and 1') },
    });
  });
});
