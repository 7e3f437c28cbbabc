import {
  BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand, ConditionalCheckFailedException,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { type FallbackStatus, type ParkedEvent, partitionKey, sortKey } from './parked-event';

/** DynamoDB items are at most 400 KB; larger payloads go to S3 and the item keeps a pointer. */
export const MAX_INLINE_PAYLOAD_BYTES = 300 * 1024;
const BATCH = 25;

export interface FallbackStore {
  park(events: readonly ParkedEvent[]): Promise<void>;
  /** Ids of the entity's keys that have events parked with this status. */
  parkedKeys(entity: string, status: FallbackStatus): Promise<Set<string>>;
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
  constructor(private readonly dynamodb: DynamoDBClient, private readonly s3: S3Client, private readonly options: DynamoDbFallbackStoreOptions) {}

  async park(events: readonly ParkedEvent[]): Promise<void> {
    const items = await Promise.all(events.map((e) => this.toItem(e)));
    for (let i = 0; i < items.length; i += BATCH) await this.writeBatch(items.slice(i, i + BATCH));
  }

  /**
   * Parks one event unless an item with its key (entity, id, updatedAt, eventId) is already in
   * the table; false when one is, so putting the same event back twice leaves one item.
   * `note` adds plain attributes (e.g. where a re-driven event came from); it never overrides the event's own.
   */
  async parkIfAbsent(event: ParkedEvent, note: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const Item = { ...marshall(note), ...(await this.toItem(event)) };
    try {
      await this.dynamodb.send(new PutItemCommand({ TableName: this.options.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async parkedKeys(entity: string, status: FallbackStatus): Promise<Set<string>> {
    const ids = new Set<string>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(new QueryCommand({
        TableName: this.options.tableName,
        IndexName: 'byStatusNextAttempt',
        KeyConditionExpression: '#s = :s',
        FilterExpression: 'entity = :e',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: status }, ':e': { S: entity } },
        ProjectionExpression: 'id',
        ExclusiveStartKey: start,
      }));
      for (const item of page.Items ?? []) if (item.id?.S) ids.add(item.id.S);
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  async supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome> {
    const older: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) }, ':before': { S: sortKey(updatedAt, '') } },
        ProjectionExpression: 'pk, sk, #s',
        ExpressionAttributeNames: { '#s': 'status' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }));
      older.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    let superseded = 0;
    let blocked = older.some((item) => item.status?.S === 'RETRIABLE');
    for (const item of older.filter((i) => i.status?.S === 'AMBIGUOUS')) {
      try {
        await this.dynamodb.send(new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { pk: item.pk as AttributeValue, sk: item.sk as AttributeValue },
          UpdateExpression: 'SET #s = :superseded, supersededBy = :at',
          ConditionExpression: '#s = :ambiguous',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':superseded': { S: 'SUPERSEDED' }, ':ambiguous': { S: 'AMBIGUOUS' }, ':at': { S: updatedAt } },
        }));
        superseded += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The retry function got there first: revived (now RETRIABLE) or handled. Wait behind it.
        blocked = true;
      }
    }
    return { superseded, blocked };
  }

  private async toItem(event: ParkedEvent): Promise<Record<string, AttributeValue>> {
    const payload = JSON.stringify(event.payload ?? null);
    const base = {
      pk: partitionKey(event.entity, event.id), sk: sortKey(event.updatedAt, event.eventId),
      entity: event.entity, id: event.id, updatedAt: event.updatedAt, eventId: event.eventId,
      status: event.status, reason: event.reason, error: event.error, attempts: event.attempts,
      firstSeenAt: event.firstSeenAt, nextAttemptAt: event.nextAttemptAt,
      ...(event.violations ? { violations: event.violations.map((v) => ({ ...v })) } : {}),
    };
    if (Buffer.byteLength(payload) <= MAX_INLINE_PAYLOAD_BYTES) return marshall({ ...base, payload }, { removeUndefinedValues: true });
    const key = `oversized/${event.entity}/${event.eventId}.json`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.options.payloadBucket, Key: key, Body: payload, ContentType: 'application/json' }));
    return marshall({ ...base, payloadS3: { bucket: this.options.payloadBucket, key } }, { removeUndefinedValues: true });
  }

  /** BatchWriteItem may leave items unprocessed under load: write those again, with backoff, until none is left. */
  private async writeBatch(items: Record<string, AttributeValue>[]): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error(`fallback table ${this.options.tableName}: ${pending.length} item(s) still unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(Math.min(5000, 50 * 2 ** attempt));
      const out = await this.dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [this.options.tableName]: pending } }));
      pending = (out.UnprocessedItems?.[this.options.tableName] ?? []).map((r) => ({ PutRequest: { Item: r.PutRequest?.Item ?? {} } }));
    }
  }
}
