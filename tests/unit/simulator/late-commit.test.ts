import { setTimeout as sleep } from 'node:timers/promises';
import { applyFaultPatch, NO_FAULTS, parseFaultSpec, type SimulatorState } from '../../../local/simulator';
import { ENTITY_NAMES } from '../../../local/simulator/entities';
import { PendingCommits } from '../../../local/simulator/pending-commits';
import type { StoredVersion } from '../../../local/simulator/types';
import { closeTestSimulators, EPOCH, startTestSimulator } from './simulator-harness';

const LONG_MS = 600_000;

const allRecords = (state: SimulatorState) => ENTITY_NAMES.flatMap((entity) => state.entities[entity]?.records ?? []);
const pendingCount = (state: SimulatorState) =>
  ENTITY_NAMES.reduce((sum, entity) => sum + (state.entities[entity]?.lateCommitsPending ?? 0), 0);
const keysOf = (records: readonly { id: string; updatedAt: string }[]) =>
  records.map(({ id, updatedAt }) => `${updatedAt} ${id}`);

describe('late commits', () => {
  afterEach(closeTestSimulators);

  test('a late change is neither served nor in state until committed, then appears at its original updatedAt', async () => {
    const simulator = await startTestSimulator({ seed: 3, initialEvents: 60 });
    const sim = simulator.running.simulator;
    const before = (await simulator.state('customer')).entities.customer?.records ?? [];
    const committedUpTo = sim.state().latestUpdatedAt;
    await simulator.setFaults({ lateCommitRate: 1, lateCommitMs: LONG_MS });
    const lateUpTo = sim.generate(10, ['customer']).latestUpdatedAt;
    await simulator.setFaults({ lateCommitRate: 0 });
    sim.generate(10, ['customer']);
    const inLateWindow = (updatedAt: string) => updatedAt > committedUpTo && updatedAt <= lateUpTo;

    const pending = await simulator.state('customer');
    expect(pending.entities.customer?.lateCommitsPending).toBe(10);
    expect(pending.counters.faultsInjected.lateCommit).toBe(10);
    const visible = pending.entities.customer?.records ?? [];
    expect(visible.filter((record) => inLateWindow(record.updatedAt))).toEqual([]);
    const served = await simulator.readAllPages('customer', EPOCH, 7);
    expect(keysOf(served.events)).toEqual(keysOf(visible));
    const cursor = served.events.at(-1)?.updatedAt ?? EPOCH;
    expect(cursor > lateUpTo).toBe(true);

    expect(await simulator.admin('POST', '/admin/commit-late')).toEqual({ status: 200, body: { committed: 10 } });
    const committed = await simulator.state('customer');
    expect(committed.entities.customer?.lateCommitsPending).toBe(0);
    const late = (committed.entities.customer?.records ?? []).filter((record) => inLateWindow(record.updatedAt));
    expect(late).toHaveLength(10);
    // Until the commit, readers saw each record's previous committed version, or nothing for a create.
    const updatedLate = late.filter((record) => before.some((old) => old.id === record.id));
    expect(updatedLate.length).toBeGreaterThan(0);
    expect(updatedLate.length).toBeLessThan(10);
    for (const record of late) {
      expect(visible.find((seen) => seen.id === record.id)).toEqual(before.find((old) => old.id === record.id));
    }
    // A client whose cursor already passed their updatedAt never sees them; one reading from before does.
    const pastCursor = await simulator.readAllPages('customer', cursor, 7);
    expect(pastCursor.events.filter((event) => inLateWindow(event.updatedAt))).toEqual([]);
    const fromStart = await simulator.readAllPages('customer', EPOCH, 7);
    expect(keysOf(fromStart.events.filter((event) => inLateWindow(event.updatedAt)))).toEqual(keysOf(late));
  });

  test('commits by itself lateCommitMs of wall-clock time after the change was made', async () => {
    const simulator = await startTestSimulator({ seed: 4, faults: { lateCommitRate: 1, lateCommitMs: 300 } });
    simulator.running.simulator.generate(20);
    expect((await simulator.readPage({ entity: 'customer', updatedSince: EPOCH })).events).toEqual([]);
    const waiting = await simulator.state();
    expect([pendingCount(waiting), allRecords(waiting).length]).toEqual([20, 0]);
    await sleep(450);
    const state = await simulator.state();
    expect([pendingCount(state), allRecords(state).length]).toEqual([0, 20]);
    const served = await simulator.readAllPages('customer', EPOCH, 100);
    expect(keysOf(served.events)).toEqual(keysOf(state.entities.customer?.records ?? []));
    expect(served.events.length).toBeGreaterThan(0);
  });

  test('leaves a record with a pending late change alone until it commits', async () => {
    const simulator = await startTestSimulator({ seed: 5, initialEvents: 100 });
    const sim = simulator.running.simulator;
    const before = await simulator.state();
    const committedUpTo = before.latestUpdatedAt;
    await simulator.setFaults({ lateCommitRate: 1, lateCommitMs: LONG_MS });
    const lateUpTo = sim.generate(150).latestUpdatedAt;
    const held = await simulator.state();
    const updates = (state: SimulatorState) =>
      ENTITY_NAMES.reduce((sum, entity) => sum + (state.entities[entity]?.counts.updates ?? 0), 0);
    expect(updates(held)).toBeGreaterThan(updates(before));
    expect(pendingCount(held)).toBe(150);

    await simulator.setFaults({ lateCommitRate: 0 });
    const customers = (before.entities.customer?.records ?? []).filter((record) => record.op === 'UPSERT');
    const moved = sim.update(
      'customer',
      customers.map((record) => record.id),
    );
    sim.generate(100);
    expect(sim.commitLate()).toBe(150);

    const after = await simulator.state();
    const late = allRecords(after).filter((record) => record.updatedAt > committedUpTo && record.updatedAt <= lateUpTo);
    // 150 late changes, each of its own record, none of which changed again before it committed.
    expect(late).toHaveLength(150);
    const lateCustomers = new Set(after.entities.customer?.records.filter((r) => late.includes(r)).map((r) => r.id));
    const untouched = customers.filter((record) => !lateCustomers.has(record.id));
    expect(untouched.length).toBeLessThan(customers.length);
    expect(moved).toBe(untouched.length);
    expect(after.counters.faultsInjected.lateCommit).toBe(150);
  });

  test('lateCommitRate 0 leaves a run as it was, and one seed holds back the same changes', async () => {
    const recordsOf = async (faults: Record<string, number>) => {
      const simulator = await startTestSimulator({ seed: 9, initialEvents: 300, faults });
      const state = await simulator.state();
      return { records: ENTITY_NAMES.map((entity) => state.entities[entity]), pending: pendingCount(state) };
    };
    expect(await recordsOf({ lateCommitMs: 5 })).toEqual(await recordsOf({}));
    const late = await recordsOf({ lateCommitRate: 0.3, lateCommitMs: LONG_MS });
    expect(late.pending).toBeGreaterThan(30);
    expect(await recordsOf({ lateCommitRate: 0.3, lateCommitMs: LONG_MS })).toEqual(late);
  });

  test('rejects out-of-range late-commit settings, and offers a late preset', async () => {
    expect(() => applyFaultPatch(NO_FAULTS, { lateCommitRate: 1.5 })).toThrow(
      'lateCommitRate must be a number between 0 and 1',
    );
    for (const lateCommitMs of [-1, 2.5, 600_001, '300']) {
      expect(() => applyFaultPatch(NO_FAULTS, { lateCommitMs })).toThrow(
        'lateCommitMs must be an integer between 0 and 600000',
      );
    }
    expect(NO_FAULTS).toMatchObject({ lateCommitRate: 0, lateCommitMs: 20_000 });
    expect(parseFaultSpec('late')).toMatchObject({ lateCommitRate: 0.2, lateCommitMs: 20_000 });
    const simulator = await startTestSimulator();
    expect(await simulator.admin('POST', '/admin/faults', { lateCommitMs: 600_001 })).toEqual({
      status: 400,
      body: { error: expect.stringContaining('lateCommitMs must be an integer between 0 and 600000') },
    });
  });
});

describe('PendingCommits', () => {
  const version = (id: string): StoredVersion => ({
    id,
    op: 'DELETE',
    updatedAt: EPOCH,
    updatedAtMs: Date.parse(EPOCH),
    data: null,
    broken: null,
    schemaBreak: null,
  });

  test('hands changes back in commit-time order once due, one per record', () => {
    let now = 1000;
    const pending = new PendingCommits(() => now);
    pending.hold('customer', version('a'), 500);
    pending.hold('invoice', version('b'), 100);
    pending.hold('customer', version('c'), 300);
    expect(() => pending.hold('customer', version('a'), 1)).toThrow('customer a already has a pending change');
    expect([pending.size, pending.countOf('customer'), pending.has('invoice', 'b')]).toEqual([3, 2, true]);
    expect(pending.takeDue()).toEqual([]);
    now = 1300;
    expect(pending.takeDue().map((change) => change.version.id)).toEqual(['b', 'c']);
    expect([pending.has('invoice', 'b'), pending.countOf('customer')]).toEqual([false, 1]);
    expect(pending.takeAll().map((change) => change.version.id)).toEqual(['a']);
    expect(pending.size).toBe(0);
  });
});
