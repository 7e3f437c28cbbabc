import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EMRServerlessClient, ListApplicationsCommand } from '@aws-sdk/client-emr-serverless';
import { GetSchemaCommand, GetSchemaVersionCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  GetBucketEncryptionCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { alertObserverQueueName } from '../../local/provision/sns';
import { LOCAL_PSEUDO_PARAMETERS } from '../../local/serverless/intrinsics';
import { entityNames, stageParam } from '../../stage/resolved-config';
import { localClientConfig, localConfig, localNames } from '../helpers/local-stack';
import { DUE_INDEX, KEYS_INDEX } from '../../lib/fallback';

const ROOT = path.resolve(__dirname, '../..');

describe('the resources provisioned on moto from serverless.yml', () => {
  const dynamodb = new DynamoDBClient(localClientConfig());
  const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  afterAll(() => {
    dynamodb.destroy();
    s3.destroy();
  });

  it('has the checkpoint table and the fallback table with stream, sweep index and TTL', async () => {
    const names = await localNames();
    const checkpoint = await dynamodb.send(new DescribeTableCommand({ TableName: names.checkpointTable }));
    expect(checkpoint.Table?.KeySchema).toEqual([{ AttributeName: 'entity', KeyType: 'HASH' }]);

    const fallback = (await dynamodb.send(new DescribeTableCommand({ TableName: names.fallbackTable }))).Table;
    expect(fallback?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(fallback?.LatestStreamArn).toMatch(/^arn:aws:dynamodb:/);
    expect(fallback?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual([
      // The names the code queries (lib/fallback/table.ts) are the ones provisioned.
      [DUE_INDEX, 'ALL'],
      [KEYS_INDEX, 'KEYS_ONLY'],
    ]);
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: names.fallbackTable }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it.each(['rawBucket', 'lakeBucket', 'artifactsBucket'] as const)(
    'has the %s, encrypted and closed to the public',
    async (key) => {
      const bucket = (await localNames())[key];
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      expect(
        encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
      ).toBe('AES256');
      const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
      expect(block.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    },
  );

  it.each(['rawBucket', 'lakeBucket', 'artifactsBucket'] as const)(
    'lets a client write and read back objects in the %s',
    async (key) => {
      const bucket = (await localNames())[key];
      const objectKey = `it/${Date.now()}.txt`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: 'written by the integration test' }));
      const back = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      expect(await back.Body?.transformToString()).toBe('written by the integration test');
    },
  );

  it('delivers what is published to the alert topic to the local observer queue', async () => {
    const topicName = (await localNames()).alertTopic;
    const topicArn = `arn:aws:sns:${LOCAL_PSEUDO_PARAMETERS['AWS::Region']}:${LOCAL_PSEUDO_PARAMETERS['AWS::AccountId']}:${topicName}`;
    const sns = new SNSClient(localClientConfig());
    const sqs = new SQSClient(localClientConfig());
    try {
      const marker = `it-alert-${Date.now()}`;
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: marker, Subject: 'integration test' }));
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: alertObserverQueueName(topicName) }));
      const bodies: string[] = [];
      for (let i = 0; i < 5 && !bodies.includes(marker); i += 1) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        bodies.push(...(Messages ?? []).map((m) => String(m.Body)));
      }
      expect(bodies).toContain(marker);
    } finally {
      sns.destroy();
      sqs.destroy();
    }
  });

  it('registered each schema file in the Glue registry under its topic name', async () => {
    const config = await localConfig();
    const registry = config.custom.names.schemaRegistry;
    const prefix = String(stageParam(config, 'local', 'topicPrefix'));
    const glue = new GlueClient(localClientConfig());
    try {
      for (const entity of entityNames(config, 'local')) {
        const schemaId = { RegistryName: registry, SchemaName: `${prefix}.${entity}` };
        const schema = await glue.send(new GetSchemaCommand({ SchemaId: schemaId }));
        expect(schema).toMatchObject({ DataFormat: 'AVRO', Compatibility: 'BACKWARD', SchemaStatus: 'AVAILABLE' });
        const latest = await glue.send(
          new GetSchemaVersionCommand({ SchemaId: schemaId, SchemaVersionNumber: { LatestVersion: true } }),
        );
        const file = readFileSync(path.join(ROOT, 'schemas', `${entity}.avsc`), 'utf8');
        expect(JSON.parse(String(latest.SchemaDefinition))).toEqual(JSON.parse(file));
      }
    } finally {
      glue.destroy();
    }
  });

  it('created the EMR Serverless Spark application', async () => {
    const emr = new EMRServerlessClient(localClientConfig());
    try {
      const { applications } = await emr.send(new ListApplicationsCommand({}));
      const name = (await localNames()).emrApplication;
      const app = applications?.find((a) => a.name === name);
      expect(app).toMatchObject({
        type: expect.stringMatching(/^spark$/i),
        releaseLabel: expect.stringMatching(/^emr-7\./),
      });
    } finally {
      emr.destroy();
    }
  });
});
