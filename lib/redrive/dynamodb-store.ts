import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type FallbackStatus, partitionKey } from '../fallback';
import { HISTORY_LIMIT, type ParkedItem, type Reschedule } from './parked-item';
import type { DueCursor, DuePage, RedriveStore } from './store';

const INDEX = 'byStatusNextAttempt';

export class DynamoDbRedriveStore implements RedriveStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly s3: S3Client,
    private readonly tableName: string,
  ) {}

  async due(status: FallbackStatus, now: string, limit: number, after?: DueCursor): Promise<DuePage> {
    return this.queryIndex(
      status,
      limit,
      { expression: '#s = :s AND nextAttemptAt <= :now', values: { ':now': { S: now } } },
      after as Record<string, AttributeValue> | undefined,
    );
  }

  async withStatus(status: FallbackStatus, limit: number): Promise<ParkedItem[]> {
    return (await this.queryIndex(status, limit, { expression: '#s = :s', values: {} })).items;
  }

  async itemsOfKey(entity: string, id: string): Promise<ParkedItem[]> {
    const items: ParkedItem[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: partitionKey(entity, id) } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []).map((i) => unmarshall(i) as ParkedItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async claim(item: ParkedItem, owner: string, now: string, until: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(item),
        UpdateExpression: 'SET claimedBy = :owner, claimUntil = :until',
        ConditionExpression:
          '#s = :status AND (attribute_not_exists(claimUntil) OR claimUntil < :now OR claimedBy = :owner)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: marshall({ ':owner': owner, ':until': until, ':now': now, ':status': item.status }),
      }),
    );
  }

  async remove(item: ParkedItem, owner: string): Promise<boolean> {
    return this.conditional(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: this.key(item),
        ConditionExpression: 'claimedBy = :owner',
        ExpressionAttributeValues: marshall({ ':owner': owner }),
      }),
    );
  }

  async reschedule(item: ParkedItem, owner: string, change: Reschedule): Promise<void> {
    const history = [...(item.history ?? []), { at: change.at, error: change.error }].slice(-HISTORY_LIMIT);
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(item),
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

  async setStatus(
    item: ParkedItem,
    from: FallbackStatus,
    to: FallbackStatus,
    note: Record<string, string>,
    owner?: string,
  ): Promise<boolean> {
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
        Key: this.key(item),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE claimedBy, claimUntil`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }

  async drop(item: ParkedItem, status: FallbackStatus): Promise<boolean> {
    return this.conditional(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: this.key(item),
        ConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: marshall({ ':s': status }),
      }),
    );
  }

  async payloadOf(item: ParkedItem): Promise<unknown> {
    if (item.payload !== undefined) return JSON.parse(item.payload);
    if (item.payloadS3 === undefined) return null;
    const object = await this.s3.send(new GetObjectCommand({ Bucket: item.payloadS3.bucket, Key: item.payloadS3.key }));
    return JSON.parse(await object.Body!.transformToString('utf8'));
  }

  /** The index projects whole items; they may lag a moment behind the table, which the conditional claims absorb. */
  private async queryIndex(
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
          IndexName: INDEX,
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

  private key(item: ParkedItem): Record<string, AttributeValue> {
    return { pk: { S: item.pk }, sk: { S: item.sk } };
  }

  private async conditional(command: UpdateItemCommand | DeleteItemCommand): Promise<boolean> {
    try {
      await this.dynamodb.send(command as UpdateItemCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
