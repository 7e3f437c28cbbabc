import { randomUUID } from 'node:crypto';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbFallbackStore, MAX_INLINE_PAYLOAD_BYTES, type ParkedEvent, partitionKey } from '../../lib/fallback';
import { backlogOf } from '../../lib/redrive';
import { cloneTable, dropTable } from '../../local/scratch-tables';
import { localClientConfig, localNames } from '../helpers/local-stack';

const dynamodb = new DynamoDBClient(localClientConfig());
const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
// A copy of the fallback table: items of made-up entities must not reach the pipeline's retry function.
let table: string | undefined;
afterAll(async () => {
  if (table !== undefined) await dropTable(dynamodb, table);
  dynamodb.destroy();
  s3.destroy();
});

function parked(entity: string, id: string, updatedAt: string, overrides: Partial<ParkedEvent> = {}): ParkedEvent {
  return {
    entity,
    id,
    updatedAt,
    eventId: randomUUID().replace(/-/g, ''),
    payload: { id, op: 'UPSERT', updatedAt, data: { id } },
    status: 'RETRIABLE',
    reason: 'KAFKA_UNAVAILABLE',
    error: 'broker down',
    attempts: 0,
    firstSeenAt: '2026-11-25T00:00:00.000Z',
    nextAttemptAt: '2026-11-25T00:00:00.000Z',
    ...overrides,
  };
}

async function itemsOf(table: string, entity: string, id: string): Promise<Record<string, unknown>[]> {
  const out = await dynamodb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) } },
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

async function store(): Promise<{ store: DynamoDbFallbackStore; table: string; bucket: string }> {
  const names = await localNames();
  table ??= await cloneTable(dynamodb, names.fallbackTable, `${names.fallbackTable}-it-${randomUUID().slice(0, 8)}`);
  return {
    store: new DynamoDbFallbackStore(dynamodb, s3, { tableName: table, payloadBucket: names.rawBucket }),
    table,
    bucket: names.rawBucket,
  };
}

describe('the fallback table (moto)', () => {
  it("parks more events than one batch write takes, a key's events sorted oldest first", async () => {
    const { store: fallback, table } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    const events = Array.from({ length: 60 }, (_, i) =>
      parked(entity, `k${i % 3}`, `2026-11-24T10:00:${String(59 - i).padStart(2, '0')}.000Z`),
    );
    await fallback.park(events);
    const k0 = await itemsOf(table, entity, 'k0');
    expect(k0).toHaveLength(20);
    expect(k0.map((i) => i.updatedAt)).toEqual([...k0.map((i) => String(i.updatedAt))].sort());
    expect(k0[0]).toMatchObject({
      entity,
      id: 'k0',
      status: 'RETRIABLE',
      reason: 'KAFKA_UNAVAILABLE',
      error: 'broker down',
      attempts: 0,
    });
    expect(JSON.parse(String(k0[0]?.payload))).toMatchObject({ id: 'k0', op: 'UPSERT' });
    expect(await fallback.openKeys(entity, 100)).toEqual({
      RETRIABLE: new Set(['k0', 'k1', 'k2'].map((k) => partitionKey(entity, k))),
      AMBIGUOUS: new Set(),
    });
  });

  it("lists an entity's parked keys through the keys-only index up to a limit, and past it answers per key with consistent reads", async () => {
    const { store: fallback } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    const long = 'L'.repeat(3000);
    await fallback.park([
      ...Array.from({ length: 6 }, (_, i) => parked(entity, `r${i}`, `2026-11-24T10:00:0${i}.000Z`)),
      parked(entity, long, '2026-11-24T10:00:00.000Z', { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }),
      parked(entity, 'r0', '2026-11-24T10:01:00.000Z', { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }),
      parked(`${entity}x`, 'other', '2026-11-24T10:00:00.000Z'),
    ]);
    const listed = await fallback.openKeys(entity, 6);
    expect(listed?.RETRIABLE.size).toBe(6);
    expect(listed?.AMBIGUOUS).toEqual(new Set([partitionKey(entity, long), partitionKey(entity, 'r0')]));
    expect(await fallback.openKeys(entity, 5)).toBeUndefined();
    const statuses = await fallback.openStatusesOf(entity, ['r0', 'r5', long, 'nobody', 'other']);
    expect(Object.fromEntries([...statuses].map(([id, s]) => [id.slice(0, 8), [...s].sort()]))).toEqual({
      r0: ['AMBIGUOUS', 'RETRIABLE'],
      r5: ['RETRIABLE'],
      LLLLLLLL: ['AMBIGUOUS'],
    });
  });

  it("counts an entity's items per status through the keys-only index, stopping at a cap (the retry function's backlog metric)", async () => {
    const { store: fallback } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    await fallback.park([
      ...Array.from({ length: 25 }, (_, i) => parked(entity, `r${i}`, '2026-11-24T10:00:00.000Z')),
      ...Array.from({ length: 3 }, (_, i) =>
        parked(entity, `a${i}`, '2026-11-24T10:00:00.000Z', { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }),
      ),
      parked(`${entity}x`, 'other', '2026-11-24T10:00:00.000Z'),
    ]);
    expect(await fallback.countParked(entity, 'RETRIABLE', 100)).toEqual({ count: 25, capped: false });
    expect(await fallback.countParked(entity, 'RETRIABLE', 25)).toEqual({ count: 25, capped: false });
    expect(await fallback.countParked(entity, 'RETRIABLE', 10)).toEqual({ count: 10, capped: true });
    expect(await fallback.countParked(entity, 'AMBIGUOUS', 100)).toEqual({ count: 3, capped: false });
    expect(await fallback.countParked(entity, 'STALE', 100)).toEqual({ count: 0, capped: false });
    expect(await backlogOf(fallback, [entity, `${entity}x`], 10)).toEqual({
      byEntity: {
        [entity]: { RETRIABLE: 10, AMBIGUOUS: 3, SUPERSEDED: 0, STALE: 0 },
        [`${entity}x`]: { RETRIABLE: 1, AMBIGUOUS: 0, SUPERSEDED: 0, STALE: 0 },
      },
      capped: [`${entity} RETRIABLE`],
    });
  });

  it('keeps a payload too large for an item in S3, with a pointer in the item', async () => {
    const { store: fallback, table, bucket } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    const big = parked(entity, 'big', '2026-11-24T10:00:00.000Z', {
      payload: { blob: 'x'.repeat(MAX_INLINE_PAYLOAD_BYTES + 10) },
      status: 'AMBIGUOUS',
      reason: 'PAYLOAD_TOO_LARGE',
    });
    await fallback.park([big]);
    const [item] = await itemsOf(table, entity, 'big');
    expect(item?.payload).toBeUndefined();
    expect(item?.payloadS3).toEqual({ bucket, key: `oversized/${entity}/${big.eventId}.json` });
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `oversized/${entity}/${big.eventId}.json` }),
    );
    expect(JSON.parse(String(await object.Body?.transformToString()))).toEqual(big.payload);
  });

  it('keeps the failing field paths of an ambiguous event', async () => {
    const { store: fallback, table } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    const violations = [{ path: 'data.balance', expected: 'double', received: 'string "lots"' }];
    await fallback.park([
      parked(entity, 'c-1', '2026-11-24T10:00:00.000Z', {
        status: 'AMBIGUOUS',
        reason: 'SCHEMA_VALIDATION',
        violations,
      }),
    ]);
    expect((await itemsOf(table, entity, 'c-1'))[0]?.violations).toEqual(violations);
  });

  it("supersedes only a key's older AMBIGUOUS events", async () => {
    const { store: fallback, table } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    await fallback.park([
      parked(entity, 'c-1', '2026-11-24T10:00:00.000Z', { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }),
      parked(entity, 'c-1', '2026-11-24T10:00:01.000Z', { status: 'RETRIABLE' }),
      parked(entity, 'c-1', '2026-11-24T10:00:05.000Z', { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }),
      parked(entity, 'c-2', '2026-11-24T10:00:00.000Z', { status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' }),
    ]);
    // An older RETRIABLE event of the key blocks the newer change: it must wait behind it.
    expect(await fallback.supersedeAmbiguous(entity, 'c-1', '2026-11-24T10:00:03.000Z')).toEqual({
      superseded: 1,
      blocked: true,
    });
    expect((await itemsOf(table, entity, 'c-1')).map((i) => i.status)).toEqual([
      'SUPERSEDED',
      'RETRIABLE',
      'AMBIGUOUS',
    ]);
    expect((await itemsOf(table, entity, 'c-2')).map((i) => i.status)).toEqual(['AMBIGUOUS']);
    expect(await fallback.supersedeAmbiguous(entity, 'c-2', '2026-11-24T10:00:03.000Z')).toEqual({
      superseded: 1,
      blocked: false,
    });
  });

  it('parking an event again leaves its item as the retry function left it: claim, attempts, history, first-seen and status', async () => {
    const { store: fallback, table } = await store();
    const redrive = new DynamoDbFallbackStore(dynamodb, s3, { tableName: table });
    const entity = `it${randomUUID().slice(0, 6)}`;
    const claimed = parked(entity, 'c-1', '2026-11-24T10:00:00.000Z');
    const superseded = parked(entity, 'c-2', '2026-11-24T10:00:00.000Z', {
      status: 'AMBIGUOUS',
      reason: 'SCHEMA_VALIDATION',
    });
    await fallback.park([claimed, superseded]);
    const [item] = await redrive.itemsOfKey(entity, 'c-1');
    expect(await redrive.claim(item!, 'retry-1', '2026-11-25T00:00:00.000Z', '2026-11-25T00:05:00.000Z')).toBe(true);
    await redrive.reschedule({ ...item!, claimedBy: 'retry-1' }, 'retry-1', {
      attempts: 3,
      nextAttemptAt: '2026-11-25T01:00:00.000Z',
      error: 'still down',
      at: '2026-11-25T00:00:00.000Z',
    });
    expect(
      await redrive.claim({ ...item!, attempts: 3 }, 'retry-1', '2026-11-25T00:00:00.000Z', '2026-11-25T00:05:00.000Z'),
    ).toBe(true);
    expect(await fallback.supersedeAmbiguous(entity, 'c-2', '2026-11-24T10:00:09.000Z')).toEqual({
      superseded: 1,
      blocked: false,
    });
    const before = [...(await itemsOf(table, entity, 'c-1')), ...(await itemsOf(table, entity, 'c-2'))];
    // A page read again after a failed checkpoint save parks the same events again, fresh.
    await fallback.park([
      { ...claimed, firstSeenAt: '2026-11-26T00:00:00.000Z' },
      { ...superseded, firstSeenAt: '2026-11-26T00:00:00.000Z' },
    ]);
    const after = [...(await itemsOf(table, entity, 'c-1')), ...(await itemsOf(table, entity, 'c-2'))];
    expect(after).toEqual(before);
    expect(after.map((i) => [i.status, i.claimedBy, i.attempts, i.firstSeenAt])).toEqual([
      ['RETRIABLE', 'retry-1', 3, '2026-11-25T00:00:00.000Z'],
      ['SUPERSEDED', undefined, 0, '2026-11-25T00:00:00.000Z'],
    ]);
  });

  it('parks new events beside ones already in the table in one call, and the same event twice in one call once', async () => {
    const { store: fallback, table } = await store();
    const entity = `it${randomUUID().slice(0, 6)}`;
    const first = parked(entity, 'c-1', '2026-11-24T10:00:00.000Z');
    await fallback.park([first]);
    const later = Array.from({ length: 120 }, (_, i) =>
      parked(entity, 'c-1', `2026-11-24T10:01:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`),
    );
    await fallback.park([first, later[5]!, ...later, first]);
    expect(await itemsOf(table, entity, 'c-1')).toHaveLength(121);
  });
});
