import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * A private copy of a provisioned table (same keys, indexes and, unless told otherwise, stream), so a test or a
 * benchmark owns its checkpoints and parked events and never sees anyone else's.
 */
export async function cloneTable(
  dynamodb: DynamoDBClient,
  source: string,
  target: string,
  options: { stream?: boolean } = {},
): Promise<string> {
  const { Table: t } = await dynamodb.send(new DescribeTableCommand({ TableName: source }));
  if (t === undefined) throw new Error(`table ${source} does not exist: is the local stack provisioned?`);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: target,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: t.KeySchema,
      AttributeDefinitions: t.AttributeDefinitions,
      GlobalSecondaryIndexes: t.GlobalSecondaryIndexes?.length
        ? t.GlobalSecondaryIndexes.map((g) => ({
            IndexName: g.IndexName,
            KeySchema: g.KeySchema,
            Projection: g.Projection,
          }))
        : undefined,
      // Without a stream when asked: moto keeps every stream record, which a big seeded table does not need.
      StreamSpecification: options.stream === false ? undefined : t.StreamSpecification,
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: target });
  return target;
}

export async function dropTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
  await dynamodb.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
}

/** Every item of a (small, privately owned) table. */
export async function scanAll(dynamodb: DynamoDBClient, name: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((i) => unmarshall(i)));
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start !== undefined);
  return items;
}
