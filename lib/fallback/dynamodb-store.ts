import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { inChunks } from '../batch/chunks';
import { jsonText } from '../change/json-text';
import { boundedForTable, itemKeyOf, type ParkedEvent, partitionKey, sortKey } from './parked-event';

/** DynamoDB items are at most 400 KB; larger payloads go to S3 and the item keeps a pointer. */
export const MAX_INLINE_PAYLOAD_BYTES = 300 * 1024;
/** What an item may weigh with its payload inline (the rest of the 400 KB is attribute names and slack). */
const MAX_INLINE_ITEM_BYTES = 360 * 1024;
/** The per-entity index of parked items (hash entity, range status), projecting keys only. */
export const KEYS_INDEX = 'byEntityStatus';
/** Keys asked about at once, when too many are parked to list. */
const LOOKUP_CONCURRENCY = 16;
/** TransactWriteItems takes at most 100 actions and 4 MB in all. */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_BYTES = 3.5 * 1024 * 1024;

/** The statuses whose events hold a key's newer changes back (or may be superseded by them). */
export type OpenStatus = 'RETRIABLE' | 'AMBIGUOUS';
export const OPEN_STATUSES: readonly OpenStatus[] = ['RETRIABLE', 'AMBIGUOUS'];

/** Per open status, the partition keys (`partitionKey(entity, id)`) with events parked so. */
export type OpenKeys = Readonly<Record<OpenStatus, ReadonlySet<string>>>;

export interface FallbackStore {
  park(events: readonly ParkedEvent[]): Promise<void>;
  /**
   * The entity's keys with events parked RETRIABLE or AMBIGUOUS, from the per-entity keys-only
   * index; undefined when more than `limit` items are parked so (then ask per key instead).
   */
  openKeys(entity: string, limit: number): Promise<OpenKeys | undefined>;
  /** The open statuses each of these keys has events parked with (a consistent read per key). */
  openStatusesOf(entity: string, ids: readonly string[]): Promise<Map<string, OpenStatus[]>>;
  /**
   * Before a newer valid change of a key is published: marks the key's AMBIGUOUS events older than
   * `updatedAt` SUPERSEDED. `blocked` is true when an older event of the key is RETRIABLE (e.g.
   * the retry function just revived one): the newer change must then wait behind it.
   */
  supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome>;
}

export interface SupersedeOutcome {
  readonly superseded: number;
  readonly blocked: boolean;
}

export interface DynamoDbFallbackStoreOptions {
  readonly tableName: string;
  readonly payloadBucket: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class DynamoDbFallbackStore implements FallbackStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly s3: S3Client,
    private readonly options: DynamoDbFallbackStoreOptions,
  ) {}

  /**
   * Parks each event unless its item is already in the table: an item that is there (claimed by
   * the retry function, with attempts and history, or SUPERSEDED or STALE) keeps its state, so a
   * page read again after a failed checkpoint save changes nothing. The same event twice in one
   * call is one item.
   */
  async park(events: readonly ParkedEvent[]): Promise<void> {
    const unique = new Map<string, ParkedEvent>();
    for (const event of events) if (!unique.has(itemKeyOf(event))) unique.set(itemKeyOf(event), event);
    const items = await Promise.all([...unique.values()].map((e) => this.toItem(e)));
    for (const chunk of transactionChunks(items)) await this.putAbsent(chunk);
  }

  /**
   * Parks one event unless an item with its key (entity, id, updatedAt, eventId) is already in
   * the table; false when one is, so putting the same event back twice leaves one item.
   * `note` adds plain attributes (e.g. where a re-driven event came from); it never overrides the event's own.
   */
  async parkIfAbsent(event: ParkedEvent, note: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const Item = { ...marshall(note), ...(await this.toItem(event)) };
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async openKeys(entity: string, limit: number): Promise<OpenKeys | undefined> {
    const [retriable, ambiguous] = await Promise.all(
      OPEN_STATUSES.map((status) => this.keysWithStatus(entity, status, limit)),
    );
    return retriable === undefined || ambiguous === undefined
      ? undefined
      : { RETRIABLE: retriable, AMBIGUOUS: ambiguous };
  }

  async openStatusesOf(entity: string, ids: readonly string[]): Promise<Map<string, OpenStatus[]>> {
    const found = new Map<string, OpenStatus[]>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const statuses = new Set<OpenStatus>();
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await this.dynamodb.send(
            new QueryCommand({
              TableName: this.options.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) } },
              ProjectionExpression: '#s',
              ExpressionAttributeNames: { '#s': 'status' },
              ConsistentRead: true,
              ExclusiveStartKey: start,
            }),
          );
          for (const item of page.Items ?? [])
            if ((OPEN_STATUSES as readonly string[]).includes(item.status?.S ?? ''))
              statuses.add(item.status!.S as OpenStatus);
          start = page.LastEvaluatedKey;
        } while (start);
        if (statuses.size > 0) found.set(id, [...statuses]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, ids.length) }, worker));
    return found;
  }

  /** At most `limit` items through the keys-only index (about 100 bytes each: one or two pages); undefined past it. */
  private async keysWithStatus(entity: string, status: OpenStatus, limit: number): Promise<Set<string> | undefined> {
    const keys = new Set<string>();
    let read = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: KEYS_INDEX,
          KeyConditionExpression: 'entity = :e AND #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: status }, ':e': { S: entity } },
          Limit: limit + 1 - read,
          ExclusiveStartKey: start,
        }),
      );
      read += page.Items?.length ?? 0;
      if (read > limit) return undefined;
      for (const item of page.Items ?? []) if (item.pk?.S) keys.add(item.pk.S);
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }

  async supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome> {
    const older: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk AND sk < :before',
          ExpressionAttributeValues: {
            ':pk': { S: partitionKey(entity, id) },
            ':before': { S: sortKey(updatedAt, '') },
          },
          ProjectionExpression: 'pk, sk, #s',
          ExpressionAttributeNames: { '#s': 'status' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      older.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    let superseded = 0;
    let blocked = older.some((item) => item.status?.S === 'RETRIABLE');
    for (const item of older.filter((i) => i.status?.S === 'AMBIGUOUS')) {
      try {
        await this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: { pk: item.pk as AttributeValue, sk: item.sk as AttributeValue },
            UpdateExpression: 'SET #s = :superseded, supersededBy = :at',
            ConditionExpression: '#s = :ambiguous',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':superseded': { S: 'SUPERSEDED' },
              ':ambiguous': { S: 'AMBIGUOUS' },
              ':at': { S: updatedAt },
            },
          }),
        );
        superseded += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The retry function got there first: revived (now RETRIABLE) or handled. Wait behind it.
        blocked = true;
      }
    }
    return { superseded, blocked };
  }

  private async toItem(parked: ParkedEvent): Promise<Record<string, AttributeValue>> {
    const event = boundedForTable(parked);
    const payload = jsonText(event.payload ?? null);
    const base = {
      pk: partitionKey(event.entity, event.id),
      sk: sortKey(event.updatedAt, event.eventId),
      entity: event.entity,
      id: event.id,
      updatedAt: event.updatedAt,
      eventId: event.eventId,
      status: event.status,
      reason: event.reason,
      error: event.error,
      attempts: event.attempts,
      firstSeenAt: event.firstSeenAt,
      nextAttemptAt: event.nextAttemptAt,
      ...(event.violations ? { violations: event.violations.map((v) => ({ ...v })) } : {}),
    };
    const payloadBytes = Buffer.byteLength(payload);
    if (
      payloadBytes <= MAX_INLINE_PAYLOAD_BYTES &&
      payloadBytes + Buffer.byteLength(JSON.stringify(base)) <= MAX_INLINE_ITEM_BYTES
    )
      return marshall({ ...base, payload }, { removeUndefinedValues: true });
    const key = `oversized/${event.entity}/${event.eventId}.json`;
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.options.payloadBucket,
        Key: key,
        Body: payload,
        ContentType: 'application/json',
      }),
    );
    return marshall(
      { ...base, payloadS3: { bucket: this.options.payloadBucket, key } },
      { removeUndefinedValues: true },
    );
  }

  /**
   * BatchWriteItem has no conditions, so the puts go in a transaction, each on the condition that
   * its item does not exist. A cancelled transaction says which puts found their item there:
   * those are left as they are and the rest is sent again; a conflict or throttling is tried again
   * with backoff.
   */
  private async putAbsent(items: Record<string, AttributeValue>[]): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8)
        throw new Error(
          `fallback table ${this.options.tableName}: ${pending.length} item(s) still not written after ${attempt} attempts`,
        );
      if (attempt > 0) await sleep(Math.min(5000, 50 * 2 ** attempt));
      try {
        await this.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: pending.map((Item) => ({
              Put: { TableName: this.options.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
            })),
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || error.CancellationReasons === undefined) throw error;
        const reasons = error.CancellationReasons;
        const before = pending.length;
        pending = pending.filter((_, i) => reasons[i]?.Code !== 'ConditionalCheckFailed');
        // Only items already there cancelled it: the rest goes again at once.
        const onlyExisting = reasons.every(
          (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'None' || r.Code === undefined,
        );
        if (onlyExisting && pending.length < before) attempt = -1;
      }
    }
  }
}

/** Items in groups a transaction takes: at most 100 of them, and well under its 4 MB. */
function transactionChunks(items: Record<string, AttributeValue>[]): Record<string, AttributeValue>[][] {
  return inChunks(items, (item) => Buffer.byteLength(JSON.stringify(item)), {
    maxBytes: TRANSACTION_BYTES,
    maxItems: TRANSACTION_ITEMS,
  });
}
