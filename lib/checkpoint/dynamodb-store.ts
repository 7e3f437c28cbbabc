import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CheckpointConflictError } from './errors';
import type { HandedOffWindow, Position } from './position';
import type { CheckpointStore, LeaseOutcome, PollLease, RecentParks, StoredCheckpoint } from './store';
import { nextSave } from './store';

/**
 * Checkpoints in the stage's checkpoint table (key `entity`), each item also holding the entity's
 * poll lease (`leaseOwner`, `leaseUntil`). Every write is a conditional update of its own
 * attributes, so a checkpoint save keeps the lease and a lease write keeps the checkpoint.
 */
export class DynamoDbCheckpointStore implements CheckpointStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(entity: string): Promise<StoredCheckpoint | undefined> {
    const Item = await this.read(entity);
    // An item with a lease but no version: a first run holds the lease and has saved nothing yet.
    if (!Item?.version?.N) return undefined;
    return {
      version: Number(Item.version.N),
      position: {
        updatedAt: String(Item.updatedAt?.S),
        eventIdsAtUpdatedAt: Item.eventIdsAtUpdatedAt?.L?.map((v) => String(v.S)) ?? [],
        ...(Item.handedOffWindow?.M ? { window: windowOf(Item.handedOffWindow.M) } : {}),
      },
      ...(Item.savedAt?.S ? { savedAt: Item.savedAt.S } : {}),
      ...(Item.savedBy?.S ? { savedBy: Item.savedBy.S } : {}),
    };
  }

  async save(
    entity: string,
    position: Position,
    expectedVersion: number | undefined,
    runId: string,
  ): Promise<StoredCheckpoint> {
    const { version, savedAt } = nextSave(expectedVersion, this.now());
    const values: Record<string, AttributeValue> = {
      ':updatedAt': { S: position.updatedAt },
      ':ids': { L: position.eventIdsAtUpdatedAt.map((id) => ({ S: id })) },
      ':version': { N: String(version) },
      ':by': { S: runId },
      ':at': { S: savedAt },
    };
    if (expectedVersion !== undefined) values[':expected'] = { N: String(expectedVersion) };
    if (position.window !== undefined) values[':window'] = { M: windowItem(position.window) };
    const set = 'SET #updatedAt = :updatedAt, #ids = :ids, #version = :version, #by = :by, #at = :at';
    const written = await this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(entity),
        // A position without a lookback window (lookback off, or an operator's replay) removes the stored one.
        UpdateExpression: position.window === undefined ? `${set} REMOVE #window` : `${set}, #window = :window`,
        ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(#version)' : '#version = :expected',
        ExpressionAttributeNames: {
          '#updatedAt': 'updatedAt',
          '#ids': 'eventIdsAtUpdatedAt',
          '#version': 'version',
          '#by': 'savedBy',
          '#at': 'savedAt',
          '#window': 'handedOffWindow',
        },
        ExpressionAttributeValues: values,
      }),
    );
    if (!written.ok) throw new CheckpointConflictError(entity, expectedVersion ?? 0);
    return { position, version, savedAt, savedBy: runId };
  }

  async acquireLease(entity: string, owner: string, now: Date, until: Date): Promise<LeaseOutcome> {
    const taken = await this.conditional(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(entity),
        UpdateExpression: 'SET #owner = :owner, #until = :until',
        ConditionExpression: 'attribute_not_exists(#until) OR #until < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
        ExpressionAttributeValues: {
          ':owner': { S: owner },
          ':until': { S: until.toISOString() },
          ':now': { S: now.toISOString() },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (taken.ok) return { acquired: true };
    return {
      acquired: false,
      holder: {
        owner: String(taken.item?.leaseOwner?.S ?? 'unknown'),
        until: String(taken.item?.leaseUntil?.S ?? 'unknown'),
      },
    };
  }

  async releaseLease(entity: string, owner: string): Promise<boolean> {
    return this.asLeaseHolder(entity, owner, 'REMOVE #owner, #until', { '#until': 'leaseUntil' }, {});
  }

  async leaseOf(entity: string): Promise<PollLease | undefined> {
    const Item = await this.read(entity);
    return Item?.leaseOwner?.S && Item.leaseUntil?.S
      ? { owner: Item.leaseOwner.S, until: Item.leaseUntil.S }
      : undefined;
  }

  async recentParks(entity: string): Promise<RecentParks | undefined> {
    const text = (await this.read(entity))?.recentParks?.S;
    return text === undefined ? undefined : (JSON.parse(text) as RecentParks);
  }

  /** One JSON string attribute: written and read whole, and its size is what the poller bounds. */
  async noteRecentParks(entity: string, owner: string, parks: RecentParks): Promise<boolean> {
    return this.asLeaseHolder(
      entity,
      owner,
      'SET #parks = :parks',
      { '#parks': 'recentParks' },
      { ':parks': { S: JSON.stringify(parks) } },
    );
  }

  /** An update of the entity's item that only the holder of its lease may make; false if `owner` does not hold it. */
  private async asLeaseHolder(
    entity: string,
    owner: string,
    update: string,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
  ): Promise<boolean> {
    return (
      await this.conditional(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(entity),
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', ...names },
          ExpressionAttributeValues: { ':owner': { S: owner }, ...values },
        }),
      )
    ).ok;
  }

  private async read(entity: string): Promise<Record<string, AttributeValue> | undefined> {
    return (
      await this.dynamodb.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key(entity), ConsistentRead: true }),
      )
    ).Item;
  }

  private key(entity: string): Record<string, AttributeValue> {
    return { entity: { S: entity } };
  }

  private async conditional(
    command: UpdateItemCommand,
  ): Promise<{ ok: boolean; item?: Record<string, AttributeValue> }> {
    try {
      await this.dynamodb.send(command);
      return { ok: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        return { ok: false, ...(error.Item ? { item: error.Item } : {}) };
      throw error;
    }
  }
}

/** The lookback window as an attribute: `ids` a map of updatedAt → eventIds, `unknownBefore` beside it. */
function windowItem(window: HandedOffWindow): Record<string, AttributeValue> {
  return {
    ids: {
      M: Object.fromEntries(Object.entries(window.ids).map(([at, ids]) => [at, { L: ids.map((id) => ({ S: id })) }])),
    },
    ...(window.unknownBefore === undefined ? {} : { unknownBefore: { S: window.unknownBefore } }),
  };
}

function windowOf(item: Record<string, AttributeValue>): HandedOffWindow {
  return {
    ids: Object.fromEntries(
      Object.entries(item.ids?.M ?? {}).map(([at, ids]) => [at, ids.L?.map((id) => String(id.S)) ?? []]),
    ),
    ...(item.unknownBefore?.S === undefined ? {} : { unknownBefore: item.unknownBefore.S }),
  };
}
