import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../../stage/local-aws';
import type { PhysicalResource } from '../serverless/intrinsics';

type Props = Record<string, unknown> & {
  TableName: string;
  StreamSpecification?: { StreamViewType: string };
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
};

/**
 * AWS::DynamoDB::Table → CreateTable (+ TTL). Idempotent: an existing table is left as is,
 * except that an index the template has and the table lacks is added (a stack provisioned
 * before the index existed keeps working after an update).
 */
export async function provisionTable(props: Props): Promise<PhysicalResource> {
  const client = new DynamoDBClient(localClientConfig());
  try {
    const existing = await describe(client, props.TableName);
    if (existing === undefined) {
      await client.send(new CreateTableCommand(createTableInput(props)));
      if (props.TimeToLiveSpecification?.Enabled) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: props.TableName,
            TimeToLiveSpecification: props.TimeToLiveSpecification,
          }),
        );
      }
    } else await addMissingIndexes(client, props, existing);
    const table = (await describe(client, props.TableName)) ?? {};
    return {
      ref: props.TableName,
      attributes: { Arn: table.TableArn ?? '', ...(table.LatestStreamArn ? { StreamArn: table.LatestStreamArn } : {}) },
    };
  } finally {
    client.destroy();
  }
}

async function addMissingIndexes(client: DynamoDBClient, props: Props, existing: TableDescription): Promise<void> {
  const wanted = createTableInput(props).GlobalSecondaryIndexes ?? [];
  const have = new Set((existing.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const index of wanted.filter((g) => !have.has(g.IndexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: props.TableName,
        AttributeDefinitions: createTableInput(props).AttributeDefinitions,
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } },
        ],
      }),
    );
  }
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** The CloudFormation properties are the API's, except the stream switch and the CFN-only ones. */
function createTableInput(props: Props): CreateTableCommandInput {
  const {
    StreamSpecification,
    TimeToLiveSpecification: _ttl,
    PointInTimeRecoverySpecification: _pitr,
    ...rest
  } = props;
  return {
    ...(rest as unknown as CreateTableCommandInput),
    ...(StreamSpecification
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: StreamSpecification.StreamViewType as 'NEW_AND_OLD_IMAGES',
          },
        }
      : {}),
  };
}
