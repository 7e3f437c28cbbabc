/**
 * The sweep drains keys in step (lib/redrive/drain-batch.ts): one event per key per publish,
 * claims and deletes in transactions, and the one-by-one path for anything not plain.
 */
import type { RedriveStore } from '../../../lib/fallback';
import { sweep } from '../../../lib/redrive';
import { parked, rig, T0 } from '../../helpers/redrive-rig';

/** Counts the store's calls by method, as the DynamoDB requests they stand for. */
function counted(store: RedriveStore): Map<string, number> {
  const calls = new Map<string, number>();
  for (const method of ['itemsOfKey', 'claim', 'claimAll', 'remove', 'removeAll', 'setStatus', 'reschedule'] as const) {
    const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      return original(...args);
    };
  }
  return calls;
}

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${String(i).padStart(3, '0')}`);

describe('draining keys in step', () => {
  it('drains 150 keys of 3 events each in per-key order with 3 publishes and a few transactions', async () => {
    const r = rig({ sweepBatchSize: 1000 });
    for (const id of ids(150)) r.store.add(parked(id, 3), parked(id, 1), parked(id, 2));
    const calls = counted(r.store);
    const publishes: number[] = [];
    const publish = r.publisher.publish.bind(r.publisher);
    r.publisher.publish = async (topic, messages) => {
      publishes.push(messages.length);
      return publish(topic, messages);
    };
    expect(await r.sweep()).toMatchObject({ keys: 150, published: 450, failed: 0, busy: 0, kafkaDown: false });
    expect(r.store.all).toEqual([]);
    // One event of every key per publish: three steps.
    expect(publishes).toEqual([150, 150, 150]);
    for (const id of ids(150))
      expect(r.sentKeys().filter((k) => k.startsWith(`${id}@`))).toEqual(
        [1, 2, 3].map((s) => `${id}@${`${id}-${s}`.padEnd(32, '0')}`),
      );
    // A Query a key; claims and deletes 100 at a time (2 transactions a step each); nothing item by item.
    expect(Object.fromEntries(calls)).toEqual({ itemsOfKey: 150, claimAll: 6, removeAll: 6 });
    // Every re-sent line says where its event was written, and it is there.
    const resent = r.logs.filter((l) => l.message === 're-sent');
    expect(resent).toHaveLength(450);
    for (const line of resent)
      expect(r.publisher.sent[Number(line.offset)]?.message.headers['cdc-event-id']).toBe(line.eventId);
  });

  it('a key held by another invocation cancels its claim transaction: that key is busy, the others of it go one by one', async () => {
    const r = rig();
    for (const id of ids(5)) r.store.add(parked(id, 1), parked(id, 2));
    const held = r.store.all.find((i) => i.id === 'k002' && i.eventId.startsWith('k002-1'))!;
    await r.store.claim(held, 'someone-else', new Date(T0).toISOString(), new Date(T0 + 60_000).toISOString());
    // Read as unclaimed: the claim lands between the read and the transaction.
    const itemsOfKey = r.store.itemsOfKey.bind(r.store);
    r.store.itemsOfKey = async (entity, id) =>
      (await itemsOfKey(entity, id)).map(({ claimedBy: _c, claimUntil: _u, ...item }) => item);
    const calls = counted(r.store);
    expect(await r.sweep()).toMatchObject({ published: 8, busy: 1, failed: 0 });
    expect(calls.get('claimAll')).toBe(1);
    expect(calls.get('claim')).toBe(9); // one by one: 4 keys × 2 events sent, and k002's first, refused
    expect(r.store.all.map((i) => [i.eventId.slice(0, 6), i.claimedBy])).toEqual([
      ['k002-1', 'someone-else'],
      ['k002-2', undefined],
    ]);
  });

  it('Kafka failing part way: the acknowledged events are deleted, the first unacknowledged one rescheduled, the others released as they were', async () => {
    const r = rig();
    for (const id of ids(4)) r.store.add(parked(id, 1), parked(id, 2));
    r.publisher.refuseAfter = 2;
    const summary = await r.sweep();
    expect(summary).toMatchObject({ failed: 1, kafkaDown: false });
    // k000 and k001 went on to their second events; k002 waits behind its rescheduled first; k003 was released untouched.
    expect(r.sentKeys().map((k) => k.slice(0, 9))).toEqual(['k000@k000', 'k001@k001', 'k000@k000', 'k001@k001']);
    expect(r.store.all.map((i) => [i.eventId.slice(0, 6), i.attempts, i.claimedBy])).toEqual([
      ['k002-1', 1, undefined],
      ['k002-2', 0, undefined],
      ['k003-1', 0, undefined],
      ['k003-2', 0, undefined],
    ]);
  });

  it('a key whose next event is not plain leaves the step and goes on one by one from there, in order (a-3 supersedes the malformed a-2)', async () => {
    const r = rig();
    r.store.add(
      parked('a', 1),
      parked('a', 2, { payload: null, status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT' }),
      parked('a', 3),
      parked('b', 1),
    );
    const calls = counted(r.store);
    expect(await r.sweep()).toMatchObject({ published: 3, superseded: 1, archived: 1, busy: 0 });
    expect(r.sentKeys().filter((k) => k.startsWith('a@'))).toEqual([1, 3].map((s) => `a@${`a-${s}`.padEnd(32, '0')}`));
    // a-1 and b-1 in step; then one by one: a-2 claimed and re-checked (still malformed), a-3 claimed and sent.
    expect(calls.get('claimAll')).toBe(1);
    expect(calls.get('claim')).toBe(2);
    expect(r.store.all).toEqual([]);
    expect([...r.archive.objects.values()].join('')).toContain('a-2'.padEnd(32, '0'));
  });

  it('a delete lost after Kafka acknowledged a step: the next sweep deletes those events without sending them again', async () => {
    const r = rig();
    for (const id of ids(3)) r.store.add(parked(id, 1), parked(id, 2));
    const removeAll = r.store.removeAll.bind(r.store);
    let lose = true;
    r.store.removeAll = async (items, owner) => {
      if (lose) {
        lose = false;
        throw new Error('connect ECONNREFUSED (DynamoDB)');
      }
      return removeAll(items, owner);
    };
    expect(await r.sweep()).toMatchObject({ published: 3, keyFailures: 3, acknowledgedBefore: 0 });
    expect(r.deps.acknowledged.size).toBe(3);
    // Another invocation of the same container, once the first claims ran out.
    r.advance(61_000);
    const next = await sweep({ ...r.deps, owner: 'next' }, r.policy);
    expect(next).toMatchObject({ published: 3, acknowledgedBefore: 3, keyFailures: 0 });
    // Each event on the topic once, each key in order; nothing left, nothing remembered.
    expect(r.sentKeys().map((k) => k.slice(0, 11))).toEqual([
      'k000@k000-1',
      'k001@k001-1',
      'k002@k002-1',
      'k000@k000-2',
      'k001@k001-2',
      'k002@k002-2',
    ]);
    expect(r.store.all).toEqual([]);
    expect(r.deps.acknowledged.size).toBe(0);
  });

  it('a container that did not send them (a cold start) sends them again: at least once, as before', async () => {
    const r = rig();
    r.store.add(parked('a', 1));
    r.store.removeAll = async () => {
      throw new Error('connect ECONNREFUSED (DynamoDB)');
    };
    await r.sweep();
    r.advance(61_000);
    const { acknowledged: _forgotten, ...cold } = r.deps;
    delete (r.store as { removeAll?: unknown }).removeAll;
    expect(await sweep({ ...cold, owner: 'cold' }, r.policy)).toMatchObject({ published: 1, acknowledgedBefore: 0 });
    expect(r.sentKeys()).toEqual([`a@${'a-1'.padEnd(32, '0')}`, `a@${'a-1'.padEnd(32, '0')}`]);
    expect(r.store.all).toEqual([]);
  });
});
