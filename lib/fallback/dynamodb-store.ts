import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { inChunks } from '../batch/chunks';
import { withRetry } from '../retry';
import { HISTORY_LIMIT, OPEN_STATUSES } from './parked-item';
import type { FallbackStatus, OpenStatus, ParkedEvent, ParkedItem, ParkedItemHeader, Reschedule } from './parked-item';
import {
  CLAIM_BATCH_LIMIT,
  type DueCursor,
  type DuePage,
  type FallbackTable,
  type Note,
  type OpenKeys,
  type ParkedCount,
  type SupersedeOutcome,
} from './ports';
import { supersedeEarlier } from './supersede';
import { DUE_INDEX, itemKeyOf, itemOf, KEYS_INDEX, oversizedPayloadKey, partitionKey } from './table';

/** Keys asked about at once, when too many are parked to list. */
const LOOKUP_CONCURRENCY = 16;
/** TransactWriteItems takes at most 100 actions and 4 MB in all. */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_BYTES = 3.5 * 1024 * 1024;
/** A transaction cancelled by a conflict or throttling is sent again this many times, with backoff. */
const PARK_RETRIES = 8;

export interface DynamoDbFallbackStoreOptions {
  readonly tableName: string;
  /** Where `park` puts payloads too large for an item; without one, parking such a payload throws. */
  readonly payloadBucket?: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The fallback table on DynamoDB (DESIGN.md boundary 4), in every role (ports.ts). */
export class DynamoDbFallbackStore implements FallbackTable {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly s3: S3Client,
    private readonly options: DynamoDbFallbackStoreOptions,
  ) {}

  private get tableName(): string {
    return this.options.tableName;
  }

  // ─── parking (the poller, the consumer) ───

  async park(events: readonly ParkedEvent[]): Promise<void> {
    const unique = new Map<string, ParkedEvent>();
    for (const event of events) if (!unique.has(itemKeyOf(event))) unique.set(itemKeyOf(event), event);
    const items = await Promise.all([...unique.values()].map((e) => this.toItem(e)));
    for (const chunk of transactionChunks(items)) await this.putAbsent(chunk);
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
        for await (const item of this.query({
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) } },
          ProjectionExpression: '#s',
          ExpressionAttributeNames: { '#s': 'status' },
          ConsistentRead: true,
        }))
          if ((OPEN_STATUSES as readonly string[]).includes(item.status?.S ?? ''))
            statuses.add(item.status!.S as OpenStatus);
        if (statuses.size > 0) found.set(id, [...statuses]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, ids.length) }, worker));
    return found;
  }

  supersedeAmbiguous(entity: string, id: string, updatedAt: string): Promise<SupersedeOutcome> {
    return supersedeEarlier(this, entity, id, updatedAt);
  }

  // ─── restoring (the operator's redrive) ───

  async parkIfAbsent(event: ParkedEvent, note: Readonly<Record<string, string>> = {}): Promise<boolean> {
    return this.conditional(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { ...marshall(note), ...(await this.toItem(event)) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  // ─── re-driving (the retry function) ───

  due(status: FallbackStatus, now: string, limit: number, after?: DueCursor): Promise<DuePage> {
    return this.queryDueIndex(
      status,
      limit,
      { expression: '#s = :s AND nextAttemptAt <= :now', values: { ':now': { S: now } } },
      after as Record<string, AttributeValue> | undefined,
    );
  }

  async withStatus(status: FallbackStatus, limit: number): Promise<ParkedItem[]> {
    return (await this.queryDueIndex(status, limit, { expression: '#s = :s', values: {} })).items;
  }

  async itemsOfKey(entity: string, id: string): Promise<ParkedItem[]> {
    const items: ParkedItem[] = [];
    for await (const item of this.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) } },
      ConsistentRead: true,
    }))
      items.push(unmarshall(item) as ParkedItem);
    return items;
  }

  claim(item: ParkedItem, owner: string, now: string, until: string): Promise<boolean> {
    return this.conditional(new UpdateItemCommand(this.claimUpdate(item, owner, now, until)));
  }

  remove(item: ParkedItem, owner: string): Promise<boolean> {
    return this.conditional(new DeleteItemCommand(this.removeDelete(item, owner)));
  }

  claimAll(items: readonly ParkedItem[], owner: string, now: string, until: string): Promise<boolean> {
    return this.allOrNone(items.map((item) => ({ Update: this.claimUpdate(item, owner, now, until) })));
  }

  removeAll(items: readonly ParkedItem[], owner: string): Promise<boolean> {
    return this.allOrNone(items.map((item) => ({ Delete: this.removeDelete(item, owner) })));
  }

  /** The claim: on an item of the status read, unless another owner's claim has not run out. */
  private claimUpdate(item: ParkedItem, owner: string, now: string, until: string) {
    return {
      TableName: this.tableName,
      Key: keyOf(item),
      UpdateExpression: 'SET claimedBy = :owner, claimUntil = :until',
      ConditionExpression:
        '#s = :status AND (attribute_not_exists(claimUntil) OR claimUntil < :now OR claimedBy = :owner)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: marshall({ ':owner': owner, ':until': until, ':now': now, ':status': item.status }),
    };
  }

  private removeDelete(item: ParkedItem, owner: string) {
    return {
      TableName: this.tableName,
      Key: keyOf(item),
      ConditionExpression: 'claimedBy = :owner',
      ExpressionAttributeValues: marshall({ ':owner': owner }),
    };
  }

  /**
   * One transaction; false when it is cancelled because a condition failed or another write met
   * it (the caller then goes item by item). Throttling and the like throw, after the SDK's retries.
   */
  private async allOrNone(actions: TransactWriteItem[]): Promise<boolean> {
    if (actions.length === 0) return true;
    if (actions.length > CLAIM_BATCH_LIMIT)
      throw new Error(`at most ${CLAIM_BATCH_LIMIT} items at once, got ${actions.length}`);
    try {
      await this.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: actions }));
      return true;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons : undefined;
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) return false;
      throw error;
    }
  }

  async reschedule(item: ParkedItem, owner: string, change: Reschedule): Promise<void> {
    const history = [...(item.history ?? []), { at: change.at, error: change.error }].slice(-HISTORY_LIMIT);
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: keyOf(item),
        UpdateExpression:
          'SET attempts = :attempts, nextAttemptAt = :next, #e = :error, history = :history REMOVE claimedBy, claimUntil',
        ConditionExpression: 'claimedBy = :owner',
        ExpressionAttributeNames: { '#e': 'error' },
        ExpressionAttributeValues: marshall({
          ':attempts': change.attempts,
          ':next': change.nextAttemptAt,
          ':error': change.error,
          ':history': history,
          ':owner': owner,
        }),
      }),
    );
  }

  setStatus(item: ParkedItem, from: FallbackStatus, to: FallbackStatus, note: Note, owner?: string): Promise<boolean> {
    const names: Record<string, string> = { '#s': 'status' };
    const values: Record<string, unknown> = { ':from': from, ':to': to };
    const sets = ['#s = :to'];
    Object.entries(note).forEach(([name, value], i) => {
      names[`#n${i}`] = name;
      values[`:n${i}`] = value;
      sets.push(`#n${i} = :n${i}`);
    });
    let condition = '#s = :from';
    if (owner !== undefined) {
      condition += ' AND (attribute_not_exists(claimedBy) OR claimedBy = :owner)';
      values[':owner'] = owner;
    }
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: keyOf(item),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE claimedBy, claimUntil`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }

  supersede(item: Pick<ParkedItem, 'pk' | 'sk'>, supersededBy: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: keyOf(item),
        UpdateExpression: 'SET #s = :superseded, supersededBy = :by REMOVE claimedBy, claimUntil',
        ConditionExpression: '#s = :ambiguous',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: marshall({
          ':superseded': 'SUPERSEDED',
          ':ambiguous': 'AMBIGUOUS',
          ':by': supersededBy,
        }),
      }),
    );
  }

  drop(item: ParkedItem, status: FallbackStatus): Promise<boolean> {
    return this.deleteIf(item, '#s = :s', { ':s': status }, { '#s': 'status' });
  }

  async payloadOf(item: ParkedItem): Promise<unknown> {
    if (item.payload !== undefined) return JSON.parse(item.payload);
    if (item.payloadS3 === undefined) return null;
    const object = await this.s3.send(new GetObjectCommand({ Bucket: item.payloadS3.bucket, Key: item.payloadS3.key }));
    return JSON.parse(await object.Body!.transformToString('utf8'));
  }

  // ─── counting (the status) ───

  async *itemsWithStatus(status: FallbackStatus): AsyncIterable<ParkedItemHeader> {
    for await (const item of this.query({
      IndexName: DUE_INDEX,
      KeyConditionExpression: '#s = :s',
      ProjectionExpression: 'entity, id, #s, reason, firstSeenAt, nextAttemptAt',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: status } },
    }))
      yield unmarshall(item) as ParkedItemHeader;
  }

  // ─── the table's mechanics ───

  /** Every item a query finds, page by page. */
  private async *query(input: Omit<QueryCommandInput, 'TableName'>): AsyncIterable<Record<string, AttributeValue>> {
    for await (const page of paginateQuery({ client: this.dynamodb }, { TableName: this.tableName, ...input }))
      yield* page.Items ?? [];
  }

  async countParked(entity: string, status: FallbackStatus, cap: number): Promise<ParkedCount> {
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: KEYS_INDEX,
          KeyConditionExpression: 'entity = :e AND #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: status }, ':e': { S: entity } },
          Select: 'COUNT',
          Limit: cap + 1 - count,
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      if (count > cap) return { count: cap, capped: true };
      start = page.LastEvaluatedKey;
    } while (start);
    return { count, capped: false };
  }

  /** At most `limit` items through the keys-only index (about 100 bytes each: one or two pages); undefined past it. */
  private async keysWithStatus(entity: string, status: OpenStatus, limit: number): Promise<Set<string> | undefined> {
    const keys = new Set<string>();
    let read = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.tableName,
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

  /** The index projects whole items; they may lag a moment behind the table, which the conditional claims absorb. */
  private async queryDueIndex(
    status: FallbackStatus,
    limit: number,
    where: { expression: string; values: Record<string, AttributeValue> },
    from?: Record<string, AttributeValue>,
  ): Promise<DuePage> {
    const items: ParkedItem[] = [];
    let start = from;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: DUE_INDEX,
          KeyConditionExpression: where.expression,
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: status }, ...where.values },
          Limit: limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []).map((i) => unmarshall(i) as ParkedItem));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    // Each page asks for exactly what is missing, so the last page's end is where this one stops.
    return start === undefined ? { items } : { items, after: start };
  }

  /** The event's item; a payload too large to stay in it goes to the payload bucket, the item keeps a pointer. */
  private async toItem(event: ParkedEvent): Promise<Record<string, AttributeValue>> {
    const { item, inline } = itemOf(event);
    if (inline) return marshall(item, { removeUndefinedValues: true });
    const bucket = this.options.payloadBucket;
    if (bucket === undefined)
      throw new Error(
        `fallback table ${this.tableName}: the payload of ${event.entity} ${event.eventId} is too large for an item, and this store has no payload bucket`,
      );
    const { payload, ...rest } = item;
    const key = oversizedPayloadKey(event);
    await this.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: payload, ContentType: 'application/json' }),
    );
    return marshall({ ...rest, payloadS3: { bucket, key } }, { removeUndefinedValues: true });
  }

  /**
   * BatchWriteItem has no conditions, so the puts go in a transaction, each on the condition that
   * its item does not exist. A cancelled transaction says which puts found their item there:
   * those are left as they are and the rest is sent again at once; a conflict or throttling is
   * tried again with backoff (lib/retry).
   */
  private async putAbsent(items: Record<string, AttributeValue>[]): Promise<void> {
    let pending = items;
    try {
      await withRetry(
        async () => {
          while (pending.length > 0) {
            try {
              await this.dynamodb.send(
                new TransactWriteItemsCommand({
                  TransactItems: pending.map((Item) => ({
                    Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
                  })),
                }),
              );
              pending = [];
            } catch (error) {
              if (!(error instanceof TransactionCanceledException) || error.CancellationReasons === undefined)
                throw error;
              const reasons = error.CancellationReasons;
              const rest = pending.filter((_, i) => reasons[i]?.Code !== 'ConditionalCheckFailed');
              // Only items already there cancelled it: the rest goes again at once.
              const onlyExisting = reasons.every(
                (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'None' || r.Code === undefined,
              );
              const progressed = rest.length < pending.length;
              pending = rest;
              if (!(onlyExisting && progressed)) throw error;
            }
          }
        },
        {
          retries: PARK_RETRIES,
          initialDelayMs: 100,
          maxDelayMs: 5000,
          retriable: (error) =>
            error instanceof TransactionCanceledException && error.CancellationReasons !== undefined,
          ...(this.options.sleep === undefined ? {} : { sleep: this.options.sleep }),
        },
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      throw new Error(
        `fallback table ${this.tableName}: ${pending.length} item(s) still not written after ${PARK_RETRIES + 1} attempts`,
        { cause: error },
      );
    }
  }

  /** Deletes the item if the condition holds; false if it does not. */
  private deleteIf(
    item: Pick<ParkedItem, 'pk' | 'sk'>,
    condition: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<boolean> {
    return this.conditional(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: keyOf(item),
        ConditionExpression: condition,
        ...(names === undefined ? {} : { ExpressionAttributeNames: names }),
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }

  private async conditional(command: UpdateItemCommand | DeleteItemCommand | PutItemCommand): Promise<boolean> {
    try {
      await this.dynamodb.send(command as UpdateItemCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

const keyOf = (item: Pick<ParkedItem, 'pk' | 'sk'>): Record<string, AttributeValue> => ({
  pk: { S: item.pk },
  sk: { S: item.sk },
});

/** Items in groups a transaction takes: at most 100 of them, and well under its 4 MB. */
function transactionChunks(items: Record<string, AttributeValue>[]): Record<string, AttributeValue>[][] {
  return inChunks(items, (item) => Buffer.byteLength(JSON.stringify(item)), {
    maxBytes: TRANSACTION_BYTES,
    maxItems: TRANSACTION_ITEMS,
  });
}
