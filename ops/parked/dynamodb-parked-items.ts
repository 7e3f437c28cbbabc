import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DUE_INDEX, type FallbackStatus, KEYS_INDEX, type ParkedItem, partitionKey } from '../../lib/fallback';
import { readS3Text } from '../stage/s3-text';
import type { ParkedFilter, ParkedItems } from './ports';
import { LISTED_STATUSES } from './statuses';

type Key = Record<string, AttributeValue>;

/** BatchGetItem takes at most 100 keys; keys it leaves unprocessed (throttling) are asked again, this many times. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ROUNDS = 5;

/**
 * The fallback table read through its two indexes (lib/fallback/table.ts): by status alone,
 * DUE_INDEX, which projects whole items, so a reason is filtered on the index; with an entity,
 * KEYS_INDEX (entity, status; keys only), each page's items then got by key. A key's items are
 * a query by partition key. Nothing here scans or writes.
 */
export class DynamoDbParkedItems implements ParkedItems {
  readonly location: string;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly s3: S3Client,
    private readonly tableName: string,
  ) {
    this.location = `DynamoDB table ${tableName}`;
  }

  async *list(filter: ParkedFilter, pageSize: number): AsyncIterable<ParkedItem> {
    for (const status of filter.status === undefined ? LISTED_STATUSES : [filter.status])
      if (filter.entity === undefined) yield* this.byStatus(status, filter.reason, pageSize);
      else yield* this.byEntity(filter.entity, status, filter, pageSize);
  }

  async itemsOfKey(entity: string, id: string): Promise<ParkedItem[]> {
    const items: ParkedItem[] = [];
    for await (const page of this.pages({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) } },
      ConsistentRead: true,
    }))
      items.push(...page.items.map((i) => unmarshall(i) as ParkedItem));
    return items;
  }

  async payloadOf(item: ParkedItem): Promise<unknown> {
    if (item.payload !== undefined) return JSON.parse(item.payload);
    if (item.payloadS3 === undefined) return null;
    const text = await readS3Text(this.s3, item.payloadS3.bucket, item.payloadS3.key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  private async *byStatus(status: FallbackStatus, reason: string | undefined, pageSize: number) {
    for await (const page of this.pages({
      IndexName: DUE_INDEX,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status', ...(reason === undefined ? {} : { '#r': 'reason' }) },
      ExpressionAttributeValues: { ':s': { S: status }, ...(reason === undefined ? {} : { ':r': { S: reason } }) },
      ...(reason === undefined ? {} : { FilterExpression: '#r = :r' }),
      Limit: pageSize,
    }))
      yield* page.items.map((i) => unmarshall(i) as ParkedItem);
  }

  private async *byEntity(entity: string, status: FallbackStatus, filter: ParkedFilter, pageSize: number) {
    for await (const page of this.pages({
      IndexName: KEYS_INDEX,
      KeyConditionExpression: 'entity = :e AND #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':e': { S: entity }, ':s': { S: status } },
      Limit: pageSize,
    })) {
      // The index may lag the table: an item drained or moved on since is left out.
      for (const item of await this.itemsAt(page.items.map((i) => ({ pk: i.pk!, sk: i.sk! }))))
        if (item.status === status && (filter.reason === undefined || item.reason === filter.reason)) yield item;
    }
  }

  /** One query's pages; the next page is asked only when the caller reads past this one. */
  private async *pages(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>) {
    let start: Key | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: start }),
      );
      yield { items: page.Items ?? [] };
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /** The items at these keys, in the keys' order; a key with no item any more is left out. */
  private async itemsAt(keys: readonly Key[]): Promise<ParkedItem[]> {
    const found = new Map<string, ParkedItem>();
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
      let pending: Key[] = keys.slice(i, i + BATCH_GET_KEYS);
      for (let round = 0; pending.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS)
          throw new Error(`${this.location}: ${pending.length} item(s) still unread after ${round} BatchGetItem calls`);
        const out = await this.dynamodb.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }),
        );
        for (const raw of out.Responses?.[this.tableName] ?? []) {
          const item = unmarshall(raw) as ParkedItem;
          found.set(`${item.pk}\u0000${item.sk}`, item);
        }
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return keys.flatMap((k) => {
      const item = found.get(`${k.pk?.S}\u0000${k.sk?.S}`);
      return item === undefined ? [] : [item];
    });
  }
}
