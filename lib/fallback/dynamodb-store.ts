import {
  BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, QueryCommand, UpdateItemCommand, ConditionalCheckFailedException,
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
  /** Marks a key's AMBIGUOUS events older than `updatedAt` SUPERSEDED; returns how many. */
  supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<number>;
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

  async supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<number> {
    const page = await this.dynamodb.send(new QueryCommand({
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk AND sk < :before',
      FilterExpression: '#s = :ambiguous',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) }, ':before': { S: sortKey(updatedAt, '') }, ':ambiguous': { S: 'AMBIGUOUS' } },
    }));
    let changed = 0;
    for (const item of page.Items ?? []) {
      try {
        await this.dynamodb.send(new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { pk: item.pk as AttributeValue, sk: item.sk as AttributeValue },
          UpdateExpression: 'SET #s = :superseded, supersededBy = :at',
          ConditionExpression: '#s = :ambiguous',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':superseded': { S: 'SUPERSEDED' }, ':ambiguous': { S: 'AMBIGUOUS' }, ':at': { S: updatedAt } },
        }));
        changed += 1;
      } catch (error) {
        // Already handled by someone else (e.g. the retry function): nothing to do.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return changed;
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
