import { ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CheckpointConflictError } from './errors';
import type { Position } from './position';
import type { CheckpointStore, StoredCheckpoint } from './store';

/** Checkpoints in the stage's checkpoint table (key `entity`), written with conditional puts. */
export class DynamoDbCheckpointStore implements CheckpointStore {
  constructor(private readonly dynamodb: DynamoDBClient, private readonly tableName: string, private readonly now: () => Date = () => new Date()) {}

  async load(entity: string): Promise<StoredCheckpoint | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: { entity: { S: entity } }, ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      version: Number(Item.version?.N),
      position: { updatedAt: String(Item.updatedAt?.S), eventIdsAtUpdatedAt: Item.eventIdsAtUpdatedAt?.L?.map((v) => String(v.S)) ?? [] },
      ...(Item.savedAt?.S ? { savedAt: Item.savedAt.S } : {}),
      ...(Item.savedBy?.S ? { savedBy: Item.savedBy.S } : {}),
    };
  }

  async save(entity: string, position: Position, expectedVersion: number | undefined, runId: string): Promise<StoredCheckpoint> {
    const version = (expectedVersion ?? 0) + 1;
    const savedAt = this.now().toISOString();
    try {
      await this.dynamodb.send(new PutItemCommand({
        TableName: this.tableName,
        Item: {
          entity: { S: entity },
          updatedAt: { S: position.updatedAt },
          eventIdsAtUpdatedAt: { L: position.eventIdsAtUpdatedAt.map((id) => ({ S: id })) },
          version: { N: String(version) },
          savedBy: { S: runId },
          savedAt: { S: savedAt },
        },
        ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(entity)' : 'version = :expected',
        ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':expected': { N: String(expectedVersion) } },
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new CheckpointConflictError(entity, expectedVersion ?? 0);
      throw error;
    }
    return { position, version, savedAt, savedBy: runId };
  }
}
