import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { InMemoryAlerts, nextAttemptAt, onStream } from '../../../lib/redrive';
import { parked, rig, T0 } from '../../helpers/redrive-rig';
import { dataFields, evolve, schemaFile } from '../../helpers/schemas';

describe('the retry function core', () => {
  it('re-sends RETRIABLE events oldest first per key, deletes them, and empties the table', async () => {
    const r = rig();
    r.store.add(parked('a', 3), parked('b', 1), parked('a', 1), parked('a', 2, { reason: 'PARKED_BEHIND_KEY' }));
    const summary = await r.sweep();
    expect(summary).toMatchObject({ keys: 2, published: 4, failed: 0, kafkaDown: false });
    const order = r.sentKeys().filter((k) => k.startsWith('a@'));
    expect(order).toEqual(['a-1', 'a-2', 'a-3'].map((e) => `a@${e.padEnd(32, '0')}`));
    expect(r.store.all).toEqual([]);
    expect(r.publisher.sent[0]!.message.headers).toMatchObject({ 'cdc-entity': 'customer', 'cdc-op': 'UPSERT' });
    // Each re-sent event is logged with where Kafka wrote it.
    const resent = r.logs.filter((l) => l.message === 're-sent');
    expect(resent.map((l) => [l.id, l.eventId, l.topic, l.offset])).toEqual(
      r.publisher.sent.map((s, i) => [s.message.key, s.message.headers['cdc-event-id'], 'cdc.customer', String(i)]),
    );
    expect(resent.find((l) => l.eventId === 'a-2'.padEnd(32, '0'))).toMatchObject({
      reason: 'PARKED_BEHIND_KEY',
      updatedAt: new Date(T0 - 3_600_000 + 2000).toISOString(),
      partition: 0,
    });
  });

  it("while Kafka is down: counts the attempt, backs off, keeps the key's order, and stops the sweep early", async () => {
    const r = rig({ concurrency: 1 });
    r.store.add(parked('a', 1), parked('a', 2), parked('b', 1));
    r.publisher.down = true;
    const summary = await r.sweep();
    expect(summary).toMatchObject({ failed: 1, published: 0, kafkaDown: true });
    const a1 = r.store.all.find((i) => i.eventId.startsWith('a-1'))!;
    expect(a1).toMatchObject({
      attempts: 1,
      nextAttemptAt: nextAttemptAt(new Date(T0), 1, r.policy, () => 0.5),
      history: [{ at: new Date(T0).toISOString(), error: expect.stringContaining('broker down') }],
    });
    expect(a1.claimedBy).toBeUndefined();
    r.publisher.down = false;
    await r.sweep(); // a-1 is not due yet: a-2 must not overtake it; b goes
    expect(r.sentKeys()).toEqual([`b@${'b-1'.padEnd(32, '0')}`]);
    r.advance(1000);
    await r.sweep();
    expect(r.sentKeys().slice(1)).toEqual([`a@${'a-1'.padEnd(32, '0')}`, `a@${'a-2'.padEnd(32, '0')}`]);
    expect(r.store.all).toEqual([]);
  });

  it('publishes an AMBIGUOUS event once the schema accepts it, and keeps counting one it still rejects', async () => {
    const r = rig();
    r.store.add(
      parked(
        'x',
        1,
        { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: 'data.loyaltyTier: unexpected field' },
        { loyaltyTier: 'gold' },
      ),
      parked('y', 1, { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', error: 'data.balance' }, { balance: 'lots' }),
    );
    let summary = await r.sweep();
    expect(summary).toMatchObject({ published: 0, stillInvalid: 2 });
    expect(r.store.all.map((i) => i.attempts)).toEqual([1, 1]);
    r.registry.seed(
      'cdc.customer',
      evolve(schemaFile('customer'), (s) =>
        dataFields(s).push({ name: 'loyaltyTier', type: ['null', 'string'], default: null }),
      ),
    );
    r.advance(1500);
    summary = await r.sweep();
    expect(summary).toMatchObject({ published: 1, revived: 1, stillInvalid: 1 });
    expect(r.sentKeys()).toEqual([`x@${'x-1'.padEnd(32, '0')}`]);
    expect(r.store.all.map((i) => [i.id, i.status, i.attempts])).toEqual([['y', 'AMBIGUOUS', 2]]);
  });

  it("marks a key's older AMBIGUOUS event SUPERSEDED when a newer one of the key is sent, and never sends it", async () => {
    const r = rig();
    r.store.add(
      parked(
        'k',
        1,
        { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', nextAttemptAt: new Date(T0 + 3_600_000).toISOString() },
        { balance: 'lots' },
      ),
      parked('k', 2),
    );
    const summary = await r.sweep();
    expect(summary).toMatchObject({ published: 1, superseded: 1 });
    expect(r.sentKeys()).toEqual([`k@${'k-2'.padEnd(32, '0')}`]);
    // The same sweep archives the superseded one and alerts.
    expect(summary).toMatchObject({ archived: 1, alerted: true });
    expect(r.store.all).toEqual([]);
  });

  it("supersedes a key's older RETRIABLE event that the latest schema turned AMBIGUOUS when its newer one is sent, so a later schema never sends it after", async () => {
    const r = rig();
    const withoutEmail = evolve(
      schemaFile('customer'),
      (s) =>
        void dataFields(s).splice(
          dataFields(s).findIndex((f) => f.name === 'email'),
          1,
        ),
    );
    // k-1 carries the optional email, k-2 does not: both parked while Kafka was down.
    r.store.add(
      parked('k', 1, {}, { email: 'ada@example.com' }),
      parked('k', 2, { reason: 'PARKED_BEHIND_KEY' }, { email: undefined }),
    );
    r.registry.seed('cdc.customer', withoutEmail); // v2 drops the optional field
    await r.sweep();
    expect(r.sentKeys()).toEqual([`k@${'k-2'.padEnd(32, '0')}`]);
    r.registry.seed(
      'cdc.customer',
      evolve(withoutEmail, (s) => void dataFields(s).push({ name: 'email', type: ['null', 'string'], default: null })),
    ); // v3 adds it back: k-1 is valid again
    r.advance(1500);
    await r.sweep();
    expect(r.sentKeys()).toEqual([`k@${'k-2'.padEnd(32, '0')}`]);
    const archived = [...r.archive.objects.values()].flatMap((o) =>
      o
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(archived.map((a) => [a.eventId, a.status, a.supersededBy])).toEqual([
      ['k-1'.padEnd(32, '0'), 'SUPERSEDED', new Date(T0 - 3_600_000 + 2000).toISOString()],
    ]);
    expect(r.store.all).toEqual([]);
  });

  it('does not send a newer event while an older one it would supersede was revived by another invocation since it read the key', async () => {
    const r = rig();
    r.store.add(
      parked('k', 1, {
        status: 'AMBIGUOUS',
        reason: 'SCHEMA_VALIDATION',
        nextAttemptAt: new Date(T0 + 3_600_000).toISOString(),
      }),
      parked('k', 2),
    );
    const itemsOfKey = r.store.itemsOfKey.bind(r.store);
    r.store.itemsOfKey = async (entity, id) => {
      const read = await itemsOfKey(entity, id);
      // Just after this read, another invocation finds k-1 valid, revives it and starts sending it.
      expect(await r.store.setStatus(read[0]!, 'AMBIGUOUS', 'RETRIABLE', {})).toBe(true);
      expect(
        await r.store.claim(
          { ...read[0]!, status: 'RETRIABLE' },
          'someone-else',
          new Date(T0).toISOString(),
          new Date(T0 + 60_000).toISOString(),
        ),
      ).toBe(true);
      r.store.itemsOfKey = itemsOfKey;
      return read;
    };
    expect(await r.sweep()).toMatchObject({ published: 0, superseded: 0, busy: 1 });
    expect(r.store.all.map((i) => [i.eventId.slice(0, 3), i.status, i.claimedBy])).toEqual([
      ['k-1', 'RETRIABLE', 'someone-else'],
      ['k-2', 'RETRIABLE', undefined],
    ]);
  });

  it('turns events past their stale limit STALE, archives them whole, sends one alert per sweep, then deletes them', async () => {
    const r = rig();
    r.store.add(
      parked(
        's1',
        1,
        { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', firstSeenAt: new Date(T0 - 7_200_000).toISOString() },
        { balance: 'lots' },
      ),
      parked('s2', 1, { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', attempts: 5 }),
      parked('ok', 1, { firstSeenAt: new Date(T0 - 7_200_000).toISOString() }), // KAFKA_UNAVAILABLE allows a day
    );
    const summary = await r.sweep();
    expect(summary).toMatchObject({ stale: 2, published: 1, archived: 2, alerted: true });
    expect(r.alerts.sent).toHaveLength(1);
    const alert = JSON.parse(r.alerts.sent[0]!.message);
    expect(r.alerts.sent[0]!.subject).toBe('cdc-pipeline test: 2 change event(s) archived, not delivered');
    expect(alert.countsByEntity).toEqual({ customer: { 'STALE SCHEMA_VALIDATION': 1, 'STALE MALFORMED_EVENT': 1 } });
    expect(alert.archive).toMatch(/^s3:\/\/in-memory-archive\/stale\/dt=2026-11-24\/.+-me\.jsonl$/);
    const [key] = [...r.archive.objects.keys()];
    const lines = r.archive.objects
      .get(key!)!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.status, l.staleBecause])).toEqual([
      ['s1', 'STALE', expect.stringContaining('more than the 3600 s allowed for SCHEMA_VALIDATION')],
      ['s2', 'STALE', '5 attempts, the most allowed for MALFORMED_EVENT'],
    ]);
    expect(lines[0].payload.data.balance).toBe('lots');
    expect(r.store.all).toEqual([]);
    expect((await r.sweep()).alerted).toBe(false);
    expect(r.alerts.sent).toHaveLength(1);
  });

  it('deletes nothing when the alert cannot be sent; the next sweep archives and alerts again', async () => {
    const r = rig();
    r.store.add(parked('s', 1, { status: 'AMBIGUOUS', reason: 'MALFORMED_EVENT', attempts: 9 }));
    r.alerts.publish = async () => {
      throw new Error('SNS throttled');
    };
    await expect(r.sweep()).rejects.toThrow('SNS throttled');
    expect(r.store.all.map((i) => i.status)).toEqual(['STALE']);
    r.alerts.publish = InMemoryAlerts.prototype.publish.bind(r.alerts);
    expect(await r.sweep()).toMatchObject({ archived: 1, alerted: true });
    expect(r.store.all).toEqual([]);
  });

  it('leaves a key alone while another invocation holds its claim', async () => {
    const r = rig();
    r.store.add(parked('a', 1), parked('a', 2));
    expect(
      await r.store.claim(
        r.store.all[0]!,
        'someone-else',
        new Date(T0).toISOString(),
        new Date(T0 + 60_000).toISOString(),
      ),
    ).toBe(true);
    expect(await r.sweep()).toMatchObject({ published: 0, busy: 1 });
    r.advance(61_000); // the other invocation died: its claim expires
    expect(await r.sweep()).toMatchObject({ published: 2 });
  });

  it('at the stale boundary, a key whose older event another invocation holds is busy: its newer events wait', async () => {
    const r = rig();
    // The other invocation claimed a-1 just before its last allowed attempt and is sending it now.
    r.store.add(parked('a', 1, { attempts: 1000 }), parked('a', 2, { reason: 'PARKED_BEHIND_KEY' }));
    const [a1] = r.store.all;
    expect(
      await r.store.claim(a1!, 'someone-else', new Date(T0).toISOString(), new Date(T0 + 60_000).toISOString()),
    ).toBe(true);
    expect(await r.sweep()).toMatchObject({ published: 0, stale: 0, busy: 1 });
    expect(r.store.all.map((i) => [i.id, i.status])).toEqual([
      ['a', 'RETRIABLE'],
      ['a', 'RETRIABLE'],
    ]);
    expect(await r.store.remove(a1!, 'someone-else')).toBe(true); // it went out
    expect(await r.sweep()).toMatchObject({ published: 1 });
    expect(r.sentKeys()).toEqual([`a@${'a-2'.padEnd(32, '0')}`]);
  });

  it('stops draining a key when another invocation took over the claim of the event it just sent: that one may send it again', async () => {
    const r = rig();
    r.store.add(parked('a', 1), parked('a', 2));
    const publish = r.publisher.publish.bind(r.publisher);
    r.publisher.publish = async (topic, messages) => {
      // This send took longer than the claim: another invocation took a-1 over and will send it too.
      if (r.publisher.sent.length === 0)
        expect(
          await r.store.claim(
            r.store.all[0]!,
            'someone-else',
            new Date(T0 + 61_000).toISOString(),
            new Date(T0 + 121_000).toISOString(),
          ),
        ).toBe(true);
      return publish(topic, messages);
    };
    expect(await r.sweep()).toMatchObject({ published: 1, busy: 1 });
    expect(r.sentKeys()).toEqual([`a@${'a-1'.padEnd(32, '0')}`]);
    expect(r.store.all.map((i) => [i.eventId.slice(0, 3), i.claimedBy])).toEqual([
      ['a-1', 'someone-else'],
      ['a-2', undefined],
    ]);
  });

  it('a key that fails does not stop the sweep: the other keys are drained, the failure counted and the key left as it was', async () => {
    const r = rig({ concurrency: 2 });
    r.store.add(parked('a', 1), parked('b', 1), parked('c', 1), parked('d', 1));
    const itemsOfKey = r.store.itemsOfKey.bind(r.store);
    r.store.itemsOfKey = async (entity, id) => {
      if (id === 'a') throw new Error('ProvisionedThroughputExceeded');
      return itemsOfKey(entity, id);
    };
    const summary = await r.sweep();
    expect(summary).toMatchObject({
      keys: 4,
      published: 3,
      keyFailures: 1,
      keyError: 'customer a: ProvisionedThroughputExceeded',
    });
    expect(
      r
        .sentKeys()
        .map((k) => k.slice(0, 1))
        .sort(),
    ).toEqual(['b', 'c', 'd']);
    expect(r.store.all.map((i) => [i.id, i.status, i.attempts])).toEqual([['a', 'RETRIABLE', 0]]);
  });

  it("an event whose schema is gone from the registry becomes AMBIGUOUS/SCHEMA_NOT_FOUND and frees its key; the other entities' keys are drained", async () => {
    const r = rig();
    r.store.add(parked('gone', 1, { entity: 'retired' }), parked('gone', 2, { entity: 'retired' }), parked('a', 1));
    const summary = await r.sweep();
    expect(summary).toMatchObject({ keys: 2, published: 1, stillInvalid: 2, keyFailures: 0 });
    expect(r.sentKeys()).toEqual([`a@${'a-1'.padEnd(32, '0')}`]);
    expect(r.store.all.map((i) => [i.entity, i.id, i.status, i.reason])).toEqual([
      ['retired', 'gone', 'AMBIGUOUS', 'SCHEMA_NOT_FOUND'],
      ['retired', 'gone', 'AMBIGUOUS', 'SCHEMA_NOT_FOUND'],
    ]);
    expect(r.store.all[0]!.error).toMatch(/cdc\.retired/);
  });

  it('from the stream: drains keys of due RETRIABLE items, skips the rest, and reports a failing record', async () => {
    const r = rig();
    r.store.add(
      parked('a', 1),
      parked('b', 1, { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }, { balance: 'x' }),
      parked('c', 1, { nextAttemptAt: new Date(T0 + 5000).toISOString() }),
    );
    const record = (i: number): DynamoDBRecord => ({
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: String(100 + i),
        NewImage: marshall(r.store.all[i]!, { removeUndefinedValues: true }) as never,
      },
    });
    const out = await onStream([record(0), record(1), record(2)], r.deps, r.policy);
    expect(out).toEqual({ summary: expect.objectContaining({ published: 1 }), failures: [] });
    expect(r.store.all.map((i) => i.id)).toEqual(['b', 'c']);
    r.store.itemsOfKey = async () => {
      throw new Error('ProvisionedThroughputExceeded');
    };
    r.advance(6000);
    const failing = await onStream([record(1)], r.deps, r.policy);
    expect(failing.failures).toEqual(['101']);
  });

  it('one by one (the stream): a delete lost after Kafka acknowledged the event; the next drain deletes it without sending it again', async () => {
    const r = rig();
    r.store.add(parked('a', 1), parked('a', 2));
    const remove = r.store.remove.bind(r.store);
    let lose = true;
    r.store.remove = async (item, owner) => {
      if (lose) {
        lose = false;
        throw new Error('connect ECONNREFUSED (DynamoDB)');
      }
      return remove(item, owner);
    };
    const record = (): DynamoDBRecord => ({
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '100',
        NewImage: marshall(r.store.all[0]!, { removeUndefinedValues: true }) as never,
      },
    });
    const first = await onStream([record()], r.deps, r.policy);
    expect(first.failures).toEqual(['100']);
    expect(r.sentKeys()).toEqual([`a@${'a-1'.padEnd(32, '0')}`]);
    // Lambda redelivers the record once the claim has run out: a-1 is deleted, a-2 sent after it.
    r.advance(61_000);
    const again = await onStream([record()], { ...r.deps, owner: 'redelivery' }, r.policy);
    expect(again).toEqual({ summary: expect.objectContaining({ published: 1, acknowledgedBefore: 1 }), failures: [] });
    expect(r.sentKeys()).toEqual([`a@${'a-1'.padEnd(32, '0')}`, `a@${'a-2'.padEnd(32, '0')}`]);
    expect(r.store.all).toEqual([]);
  });
});
