import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { GlueClient } from '@aws-sdk/client-glue';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { GlueSchemaRegistry, registerSchema } from '../../lib/registry';
import { type FunctionDefinition, functionDefinitions } from '../../local/runtime';
import { cloneTable, dropTable } from '../../local/scratch-tables';
import { entityNames } from '../../stage/resolved-config';
import { localKafka } from '../../local/kafka-client';
import { provisionTopics } from '../../local/provision/kafka-topics';
import { localClientConfig, localConfig } from './local-stack';
import { schemaFile } from './schemas';

export interface IsolatedPipeline {
  /** Topic prefix and Glue schema prefix of this pipeline, e.g. `it3f9a1c2b`. */
  readonly prefix: string;
  readonly entities: readonly string[];
  readonly topic: (entity: string) => string;
  readonly checkpointTable: string;
  readonly fallbackTable: string;
  readonly rawOffsetsTable: string;
  readonly rawBucket: string;
  readonly registry: string;
  readonly alertTopicArn: string;
  /** Messages published to the alert topic so far (read from an SQS queue subscribed to it), oldest first. */
  alerts(): Promise<{ Subject?: string; Message: string }[]>;
  /** The functions of serverless.yml, re-pointed at this pipeline's topics, tables and bucket; no schedules. */
  readonly definitions: FunctionDefinition[];
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  /** Keys under a prefix of the raw bucket. */
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A private copy of the local pipeline: its own topics (and Glue schemas of the same names),
 * checkpoint and fallback tables and raw bucket, so a test through the local runtime sees only
 * its own data, while everything else (Kafka, moto, handlers, serverless.yml) is the real thing.
 */
export async function isolatedPipeline(options: {
  sourceUrl?: string;
  functions: string[];
  env?: Record<string, string>;
  schemas?: Record<string, string>;
}): Promise<IsolatedPipeline> {
  const config = await localConfig();
  const names = config.custom.names;
  const prefix = `it${randomUUID().slice(0, 8)}`;
  const entities = entityNames(config, 'local');
  const topic = (entity: string): string => `${prefix}.${entity}`;
  const dynamodb = new DynamoDBClient(localClientConfig());
  const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  const glue = new GlueClient(localClientConfig());

  await provisionTopics(entities.map(topic), 3);
  const registry = new GlueSchemaRegistry(glue, names.schemaRegistry);
  for (const e of entities)
    await registerSchema(registry, {
      schemaName: topic(e),
      definition: options.schemas?.[e] ?? schemaFile(e),
      compatibility: 'BACKWARD',
    });
  const checkpointTable = await cloneTable(dynamodb, names.checkpointTable, `${names.checkpointTable}-${prefix}`);
  const fallbackTable = await cloneTable(dynamodb, names.fallbackTable, `${names.fallbackTable}-${prefix}`);
  const rawOffsetsTable = await cloneTable(dynamodb, names.rawOffsetsTable, `${names.rawOffsetsTable}-${prefix}`);
  const rawBucket = `${names.rawBucket}-${prefix}`.toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: rawBucket }));
  const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: fallbackTable }))).Table
    ?.LatestStreamArn;
  const sns = new SNSClient(localClientConfig());
  const sqs = new SQSClient(localClientConfig());
  const alertTopicArn = (await sns.send(new CreateTopicCommand({ Name: `${prefix}-alerts` }))).TopicArn!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-alerts-observer` }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: alertTopicArn, Protocol: 'sqs', Endpoint: queueArn }));
  const received: { Subject?: string; Message: string }[] = [];

  const env = {
    CDC_TOPIC_PREFIX: prefix,
    CDC_CHECKPOINT_TABLE: checkpointTable,
    CDC_FALLBACK_TABLE: fallbackTable,
    CDC_RAW_OFFSETS_TABLE: rawOffsetsTable,
    CDC_RAW_BUCKET: rawBucket,
    CDC_ARCHIVE_BUCKET: rawBucket,
    CDC_ALERT_TOPIC_ARN: alertTopicArn,
    ...(options.sourceUrl ? { CDC_SOURCE_URL: options.sourceUrl } : {}),
    ...options.env,
  };
  const definitions = functionDefinitions(config)
    .filter((d) => options.functions.includes(d.name))
    .map((d) => ({
      ...d,
      environment: { ...d.environment, ...env },
      schedules: [],
      streams: d.streams.map((st) => ({ ...st, arn: streamArn })),
      msk: d.msk.map((m) => {
        const entity = m.topic.slice(m.topic.indexOf('.') + 1);
        // A batch given up on goes to this pipeline's bucket, never to the shared one.
        return {
          ...m,
          topic: topic(entity),
          consumerGroupId: `${prefix}-${d.name}-${entity}`,
          startingPosition: 'TRIM_HORIZON' as const,
          ...(m.onFailureBucket === undefined ? {} : { onFailureBucket: rawBucket }),
        };
      }),
    }));

  const list = async (under: string): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: rawBucket, Prefix: under, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys.sort();
  };
  return {
    prefix,
    entities,
    topic,
    checkpointTable,
    fallbackTable,
    rawOffsetsTable,
    rawBucket,
    registry: names.schemaRegistry,
    definitions,
    s3,
    dynamodb,
    list,
    alertTopicArn,
    alerts: async () => {
      for (;;) {
        const page = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if ((page.Messages ?? []).length === 0) return [...received];
        for (const m of page.Messages ?? []) {
          received.push(JSON.parse(m.Body!) as { Subject?: string; Message: string });
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
    },
    get: async (key) =>
      Buffer.from(
        await (await s3.send(new GetObjectCommand({ Bucket: rawBucket, Key: key }))).Body!.transformToByteArray(),
      ),
    close: async () => {
      const keys = await list('');
      for (let i = 0; i < keys.length; i += 1000)
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: rawBucket,
            Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
          }),
        );
      await s3.send(new DeleteBucketCommand({ Bucket: rawBucket })).catch(() => undefined);
      await dropTable(dynamodb, checkpointTable);
      await dropTable(dynamodb, fallbackTable);
      await dropTable(dynamodb, rawOffsetsTable);
      const a = localKafka('it-isolated').admin();
      await a
        .connect()
        .then(() => a.deleteTopics({ topics: entities.map(topic) }))
        .catch(() => undefined)
        .finally(() => a.disconnect());
      await sns.send(new DeleteTopicCommand({ TopicArn: alertTopicArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
      for (const client of [dynamodb, s3, glue, sns, sqs]) client.destroy();
    },
  };
}
