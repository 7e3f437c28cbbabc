import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * How far the raw bucket holds a topic-partition: the last offset written (rows or dead letters),
 * with that record's Kafka timestamp and key, which tell a re-delivered record from one of a
 * partition that was deleted and created again (its offsets start over), and the raw object the
 * mark was moved with (null when that batch had only poison records).
 */
export interface PartitionMark {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly object: string | null;
}

/** The consumer's port to the marks: one per topic-partition, moved only by a conditional write. */
export interface PartitionMarks {
  get(topic: string, partition: number): Promise<PartitionMark | undefined>;
  /** Moves the mark from `expected` (undefined: none yet) to `next`; false if another writer moved it first. */
  advance(topic: string, partition: number, expected: PartitionMark | undefined, next: PartitionMark): Promise<boolean>;
}

const idOf = (topic: string, partition: number): string => `${topic}#${partition}`;

/** The stage's raw-offsets table, key `partition` = "<topic>#<partition>". */
export class DynamoDbPartitionMarks implements PartitionMarks {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(topic: string, partition: number): Promise<PartitionMark | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { partition: { S: idOf(topic, partition) } },
        ConsistentRead: true,
      }),
    );
    if (Item?.offset?.N === undefined) return undefined;
    return {
      offset: Number(Item.offset.N),
      timestamp: Number(Item.timestamp?.N),
      key: Item.recordKey?.S ?? null,
      object: Item.object?.S ?? null,
    };
  }

  async advance(
    topic: string,
    partition: number,
    expected: PartitionMark | undefined,
    next: PartitionMark,
  ): Promise<boolean> {
    const item: Record<string, AttributeValue> = {
      partition: { S: idOf(topic, partition) },
      offset: { N: String(next.offset) },
      timestamp: { N: String(next.timestamp) },
      movedAt: { S: this.now().toISOString() },
    };
    if (next.key !== null) item.recordKey = { S: next.key };
    if (next.object !== null) item.object = { S: next.object };
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(#p)', ExpressionAttributeNames: { '#p': 'partition' } }
            : {
                ConditionExpression: '#o = :o AND #t = :t',
                ExpressionAttributeNames: { '#o': 'offset', '#t': 'timestamp' },
                ExpressionAttributeValues: {
                  ':o': { N: String(expected.offset) },
                  ':t': { N: String(expected.timestamp) },
                },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** For unit tests: marks in a map; `failAdvances` makes the next advances throw, as a consumer killed after its write would. */
export class InMemoryPartitionMarks implements PartitionMarks {
  readonly marks = new Map<string, PartitionMark>();
  failAdvances = 0;

  async get(topic: string, partition: number): Promise<PartitionMark | undefined> {
    return this.marks.get(idOf(topic, partition));
  }

  async advance(
    topic: string,
    partition: number,
    expected: PartitionMark | undefined,
    next: PartitionMark,
  ): Promise<boolean> {
    if (this.failAdvances > 0) {
      this.failAdvances -= 1;
      throw new Error('killed before the mark moved (injected)');
    }
    const now = this.marks.get(idOf(topic, partition));
    if (now?.offset !== expected?.offset || now?.timestamp !== expected?.timestamp) return false;
    this.marks.set(idOf(topic, partition), next);
    return true;
  }
}

/** The mark moved under the consumer (a second consumer of the partition): the batch is re-delivered and judged again. */
export class PartitionMarkConflictError extends Error {
  constructor(topic: string, partition: number, expected: number | undefined, next: number) {
    super(
      `the raw mark of ${topic}-${partition} moved from ${expected ?? 'none'} while this batch was written up to ${next}: is a second consumer (another event source mapping) reading the partition?`,
    );
    this.name = 'PartitionMarkConflictError';
  }
}
