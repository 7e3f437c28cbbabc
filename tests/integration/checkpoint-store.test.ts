import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CheckpointConflictError, DynamoDbCheckpointStore, START_OF_TIME } from '../../lib/checkpoint';
import { localClientConfig, localNames } from '../helpers/local-stack';

const T1 = '2026-11-24T10:00:00.000Z';
const T2 = '2026-11-24T10:00:01.000Z';

describe('checkpoints in the provisioned DynamoDB table (moto)', () => {
  const dynamodb = new DynamoDBClient(localClientConfig());
  afterAll(() => dynamodb.destroy());

  it('stores and loads a position with its version, when and by which run it was saved', async () => {
    const store = new DynamoDbCheckpointStore(dynamodb, (await localNames()).checkpointTable);
    const entity = `it-${randomUUID()}`;
    expect(await store.load(entity)).toBeUndefined();
    await store.save(entity, { updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b'] }, undefined, 'run-1');
    expect(await store.load(entity)).toEqual({ version: 1, position: { updatedAt: T1, eventIdsAtUpdatedAt: ['a', 'b'] }, savedBy: 'run-1', savedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
  });

  it('lets exactly one of two overlapping runs move the checkpoint; the other gets a conflict', async () => {
    const store = new DynamoDbCheckpointStore(dynamodb, (await localNames()).checkpointTable);
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
    const store = new DynamoDbCheckpointStore(dynamodb, (await localNames()).checkpointTable);
    const entity = `it-${randomUUID()}`;
    await store.save(entity, START_OF_TIME, undefined, 'run-1');
    await expect(store.save(entity, START_OF_TIME, undefined, 'run-2')).rejects.toThrow(/another run is ahead/);
  });
});
