import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CheckpointConflictError,
  type CheckpointStore,
  DynamoDbCheckpointStore,
  PostgresCheckpointStore,
  START_OF_TIME,
} from '../../lib/checkpoint';
import { localClientConfig, localNames, localPostgresPool } from '../helpers/local-stack';

const T1 = '2026-11-24T10:00:00.000Z';
const T2 = '2026-11-24T10:00:01.000Z';

/** One adapter on its real local service: a fresh store per test, and what to close after the file. */
interface Adapter {
  readonly newStore: () => Promise<CheckpointStore>;
  readonly close: () => Promise<void>;
}

/** Both tables are named as the stage's checkpoint table (the PostgreSQL one created by its store). */
const ADAPTERS: readonly [string, () => Adapter][] = [
  [
    'the provisioned DynamoDB table (moto)',
    () => {
      const dynamodb = new DynamoDBClient(localClientConfig());
      return {
        newStore: async () => new DynamoDbCheckpointStore(dynamodb, (await localNames()).checkpointTable),
        close: async () => dynamodb.destroy(),
      };
    },
  ],
  [
    "a table of the stack's PostgreSQL server",
    () => {
      const pool = localPostgresPool();
      return {
        newStore: async () => new PostgresCheckpointStore(pool, (await localNames()).checkpointTable),
        close: () => pool.end(),
      };
    },
  ],
];

describe.each(ADAPTERS)('checkpoints in %s', (_, adapter) => {
  const { newStore, close } = adapter();
  afterAll(close);

  it('stores and loads a position with its version, when and by which run it was saved', async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    expect(await store.load(entity)).toBeUndefined();
    await store.save(entity, { updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b'] }, undefined, 'run-1');
    expect(await store.load(entity)).toEqual({
      version: 1,
      position: { updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b'] },
      savedBy: 'run-1',
      savedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('stores a lookback window (an empty one too) and loads it back as saved; a position without one removes it', async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    const windowed = {
      updatedAt: T2,
      eventIdsAtUpdatedAt: ['c'],
      window: { ids: { [T1]: ['a', 'b'] }, unknownBefore: T1 },
    };
    await store.save(entity, windowed, undefined, 'run-1');
    expect((await store.load(entity))?.position).toEqual(windowed);
    await store.save(entity, { ...windowed, window: { ids: {} } }, 1, 'run-2');
    expect((await store.load(entity))?.position).toEqual({ ...windowed, window: { ids: {} } });
    // An operator's replay (or lookback turned off) saves a position without a window.
    await store.save(entity, { updatedAt: T1, eventIdsAtUpdatedAt: [] }, 2, 'replay');
    expect((await store.load(entity))?.position).toEqual({ updatedAt: T1, eventIdsAtUpdatedAt: [] });
  });

  it('lets exactly one of two overlapping runs move the checkpoint; the other gets a conflict', async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    await store.save(entity, START_OF_TIME, undefined, 'run-0');
    const read = await store.load(entity);
    const results = await Promise.allSettled([
      store.save(entity, { updatedAt: T2, eventIdsAtUpdatedAt: ['b'] }, read?.version, 'run-1'),
      store.save(entity, { updatedAt: T1, eventIdsAtUpdatedAt: ['a'] }, read?.version, 'run-2'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(CheckpointConflictError);
    expect((await store.load(entity))?.version).toBe(2);
  });

  it('refuses to create a checkpoint that another run created first', async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    await store.save(entity, START_OF_TIME, undefined, 'run-1');
    await expect(store.save(entity, START_OF_TIME, undefined, 'run-2')).rejects.toThrow(/another run is ahead/);
  });

  it("gives an entity's lease to one of many runs asking at once, names the holder to the others, and lets a run take it again once it expired", async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    const now = new Date();
    const until = new Date(now.getTime() + 60_000);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.acquireLease(entity, `run-${i}`, now, until)),
    );
    const winners = outcomes.map((o, i) => (o.acquired ? `run-${i}` : undefined)).filter((w) => w !== undefined);
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => !o.acquired)).toEqual(
      Array.from({ length: 11 }, () => ({
        acquired: false,
        holder: { owner: winners[0], until: until.toISOString() },
      })),
    );
    // The holder asking again (Lambda retrying its own invocation) keeps it; after its deadline another run takes it.
    expect(await store.acquireLease(entity, winners[0]!, now, until)).toEqual({ acquired: true });
    expect(
      await store.acquireLease(entity, 'late-run', new Date(until.getTime() + 1), new Date(until.getTime() + 60_000)),
    ).toEqual({ acquired: true });
    expect(await store.releaseLease(entity, winners[0]!)).toBe(false);
    expect(await store.releaseLease(entity, 'late-run')).toBe(true);
    expect(await store.acquireLease(entity, 'next-run', now, until)).toEqual({ acquired: true });
  });

  it('keeps the lease and the checkpoint apart on one item: a save leaves the lease, a lease leaves the checkpoint, a lease alone is no checkpoint', async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    const now = new Date();
    const until = new Date(now.getTime() + 60_000);
    await store.acquireLease(entity, 'run-1', now, until);
    expect(await store.load(entity)).toBeUndefined();
    expect(await store.leaseOf(entity)).toEqual({ owner: 'run-1', until: until.toISOString() });
    await store.save(entity, { updatedAt: T1, eventIdsAtUpdatedAt: ['a'] }, undefined, 'run-1');
    expect(await store.acquireLease(entity, 'run-2', now, until)).toEqual({
      acquired: false,
      holder: { owner: 'run-1', until: until.toISOString() },
    });
    expect(await store.releaseLease(entity, 'run-1')).toBe(true);
    expect(await store.leaseOf(entity)).toBeUndefined();
    expect(await store.load(entity)).toMatchObject({
      version: 1,
      position: { updatedAt: T1, eventIdsAtUpdatedAt: ['a'] },
    });
    await store.acquireLease(entity, 'run-2', now, until);
    await store.save(entity, { updatedAt: T2, eventIdsAtUpdatedAt: [] }, 1, 'run-2');
    expect(await store.load(entity)).toMatchObject({ version: 2, savedBy: 'run-2', position: { updatedAt: T2 } });
    expect(await store.acquireLease(entity, 'run-3', now, until)).toMatchObject({
      acquired: false,
      holder: { owner: 'run-2' },
    });
  });
  it("notes recent parks on the entity's item only for the lease holder, leaving the checkpoint and the lease as they are", async () => {
    const store = await newStore();
    const entity = `it-${randomUUID()}`;
    const now = new Date();
    const until = new Date(now.getTime() + 60_000);
    const parks = { keys: [{ id: 'c-1', until: until.toISOString() }], allUntil: until.toISOString() };
    expect(await store.noteRecentParks(entity, 'run-1', parks)).toBe(false);
    expect(await store.recentParks(entity)).toBeUndefined();
    await store.acquireLease(entity, 'run-1', now, until);
    expect(await store.noteRecentParks(entity, 'run-1', parks)).toBe(true);
    expect(await store.recentParks(entity)).toEqual(parks);
    expect(await store.load(entity)).toBeUndefined();
    await store.save(entity, { updatedAt: T1, eventIdsAtUpdatedAt: ['a'] }, undefined, 'run-1');
    expect(await store.noteRecentParks(entity, 'run-2', { keys: [] })).toBe(false);
    expect(await store.recentParks(entity)).toEqual(parks);
    expect(await store.load(entity)).toMatchObject({ version: 1, position: { updatedAt: T1 } });
    expect(await store.leaseOf(entity)).toEqual({ owner: 'run-1', until: until.toISOString() });
  });
});
