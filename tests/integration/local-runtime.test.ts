import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { localEndpoint } from '../../stage/local-aws';
import { faultProxy } from '../../local/fault-proxy';
import { FunctionHost, functionDefinitions, type MskEvent, type Runtime, startRuntime } from '../../local/runtime';
import type { MskTrigger } from '../../local/runtime/definitions';
import type { ResolvedConfig } from '../../stage/resolved-config';
import { localClientConfig, localConfig, localKafkaBrokers } from '../helpers/local-stack';
import { recordFile, recorded, recorderFunction, waitFor } from '../helpers/runtime';
import { createTopicsReady } from '../../local/provision/kafka-topics';

const kafka = new Kafka({ clientId: 'it-runtime', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });
// Stream ARNs given as strings need nothing from serverless.yml.
const NO_CONFIG = { resources: { Resources: {} } } as unknown as ResolvedConfig;
const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/local/00000000-0000-0000-0000-000000000000-1';
const quiet = (): void => undefined;

async function newTopic(): Promise<string> {
  const topic = `it.runtime.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReady(admin, [{ topic, numPartitions: 1 }]);
  await admin.disconnect();
  return topic;
}

async function committedOffset(groupId: string, topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return String(result?.partitions[0]?.offset);
  } finally {
    await admin.disconnect();
  }
}

/** The end offset of the topic's one partition. */
async function topicEnd(topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return String((await admin.fetchTopicOffsets(topic))[0]?.high);
  } finally {
    await admin.disconnect();
  }
}

async function produce(
  topic: string,
  messages: { key: string; value: string; headers?: Record<string, string>; timestamp?: string }[],
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

/** A table with a NEW_AND_OLD_IMAGES stream, like the fallback table. */
function createStreamTable(dynamodb: DynamoDBClient, table: string) {
  return dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
}

function mskFunction(
  file: string,
  topic: string,
  groupId: string,
  env: Record<string, string> = {},
  limits: Partial<MskTrigger> = {},
) {
  return recorderFunction(
    'mskTest',
    file,
    {
      msk: [
        {
          kind: 'msk',
          arn: CLUSTER_ARN,
          topic,
          batchSize: 10,
          batchingWindowSeconds: 0,
          startingPosition: 'TRIM_HORIZON',
          consumerGroupId: groupId,
          ...limits,
        },
      ],
    },
    env,
  );
}

/** A private bucket as an MSK trigger's on-failure destination; `objects` reads what Lambda's S3 destination would hold. */
async function failureBucket() {
  const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  const bucket = `it-msk-failures-${randomUUID().slice(0, 8)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const keys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
  return {
    bucket,
    keys,
    objects: async () =>
      Promise.all(
        (await keys()).map(
          async (Key) =>
            JSON.parse(
              await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString(),
            ) as Record<string, unknown>,
        ),
      ),
    close: async () => {
      for (const Key of await keys()) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      s3.destroy();
    },
  };
}

describe('the local runtime', () => {
  let runtime: Runtime | undefined;
  const buckets: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    for (const bucket of buckets.splice(0)) await bucket.close();
  });

  it('delivers a produced Kafka message once, in the MSK event shape AWS documents', async () => {
    const topic = await newTopic();
    const file = recordFile();
    runtime = await startRuntime(NO_CONFIG, [mskFunction(file, topic, `it-${randomUUID()}`)], { log: quiet });
    await produce(topic, [{ key: 'c-1', value: '{"hello":"world"}', headers: { 'cdc-op': 'UPSERT' } }]);
    const [invocation] = await waitFor('one invocation', () =>
      recorded(file).length > 0 ? recorded(file) : undefined,
    );
    const event = invocation?.event as unknown as MskEvent;
    expect(Object.keys(event).sort()).toEqual(['bootstrapServers', 'eventSource', 'eventSourceArn', 'records']);
    expect(event).toMatchObject({
      eventSource: 'aws:kafka',
      eventSourceArn: CLUSTER_ARN,
      bootstrapServers: localKafkaBrokers().join(','),
    });
    expect(Object.keys(event.records)).toEqual([`${topic}-0`]);
    const [record] = event.records[`${topic}-0`] ?? [];
    expect(record).toEqual({
      topic,
      partition: 0,
      offset: 0,
      timestamp: expect.any(Number),
      timestampType: 'CREATE_TIME',
      key: Buffer.from('c-1').toString('base64'),
      value: Buffer.from('{"hello":"world"}').toString('base64'),
      headers: [{ 'cdc-op': [...Buffer.from('UPSERT')] }],
    });
    expect(Math.abs((record?.timestamp ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(invocation?.functionName).toBe('test-local-mskTest');
    expect(invocation?.remainingMs).toBeGreaterThan(25_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(recorded(file)).toHaveLength(1);
  });

  it('keeps trying to start an MSK trigger whose cluster cannot be reached at first, and delivers once it can', async () => {
    const topic = await newTopic();
    await produce(topic, [{ key: 'k', value: 'v' }]);
    // A bootstrap address where nothing listens yet (a port just taken and given back), as when
    // the broker is down the moment the runtime starts; it is forwarded to the broker later.
    const idle = net.createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const { port } = idle.address() as AddressInfo;
    await new Promise((resolve) => idle.close(resolve));
    const lines: string[] = [];
    const file = recordFile();
    runtime = await startRuntime(NO_CONFIG, [mskFunction(file, topic, `it-${randomUUID()}`)], {
      log: (l) => lines.push(l),
      brokers: [`127.0.0.1:${port}`],
    });
    await waitFor(
      'a failed start',
      () => (lines.some((l) => l.includes(`[msk ${topic}] consumer failed`)) ? true : undefined),
      60_000,
    );
    const [host, brokerPort] = localKafkaBrokers()[0]!.split(':');
    const forwarder = net.createServer((client) => {
      const broker = net.connect(Number(brokerPort), host);
      client.pipe(broker).pipe(client);
      client.on('error', () => broker.destroy());
      broker.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(port, '127.0.0.1', resolve));
    try {
      const [invocation] = await waitFor(
        'the delivery',
        () => (recorded(file).length > 0 ? recorded(file) : undefined),
        60_000,
      );
      expect((invocation?.event as unknown as MskEvent).records[`${topic}-0`]?.map((r) => r.offset)).toEqual([0]);
    } finally {
      await runtime.stop();
      runtime = undefined;
      await new Promise((resolve) => forwarder.close(resolve));
    }
  });

  it('gives a failing handler the same batch again and commits the offset only after it succeeds', async () => {
    const topic = await newTopic();
    const file = recordFile();
    const groupId = `it-${randomUUID()}`;
    runtime = await startRuntime(NO_CONFIG, [mskFunction(file, topic, groupId, { FAIL_FIRST: '2', SLEEP_MS: '0' })], {
      log: quiet,
    });
    await produce(topic, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await waitFor('the first failure', () => (recorded(file).length >= 1 ? true : undefined));
    expect(await committedOffset(groupId, topic)).toBe('-1');
    const invocations = await waitFor(
      'three invocations',
      () => (recorded(file).length >= 3 ? recorded(file) : undefined),
      60_000,
    );
    const batches = invocations.map((i) => JSON.stringify((i.event as unknown as MskEvent).records));
    expect(new Set(batches).size).toBe(1);
    await waitFor('the commit', async () => ((await committedOffset(groupId, topic)) === '2' ? true : undefined));
  });

  it("takes the consumer's retry, age and destination limits from serverless.yml's mappings", async () => {
    const config = await localConfig();
    const consumer = functionDefinitions(config).find((d) => d.name === 'consumer');
    expect(consumer?.msk.length).toBeGreaterThan(0);
    for (const trigger of consumer?.msk ?? []) {
      expect(trigger).toMatchObject({
        maximumRetryAttempts: 20,
        maximumRecordAgeSeconds: 518_400,
        onFailureBucket: config.custom.names.rawBucket,
      });
    }
  });

  /** A topic and a recorder function behind an MSK trigger with these limits and a private on-failure bucket, running. */
  async function limitedTrigger(env: Record<string, string>, limits: Partial<MskTrigger>) {
    const topic = await newTopic();
    const file = recordFile();
    const groupId = `it-${randomUUID()}`;
    const failures = await failureBucket();
    buckets.push(failures);
    runtime = await startRuntime(
      NO_CONFIG,
      [mskFunction(file, topic, groupId, env, { ...limits, onFailureBucket: failures.bucket })],
      { log: quiet },
    );
    return { topic, file, groupId, failures };
  }

  it('sends a batch the handler keeps failing to the S3 on-failure destination after the retries, whole, and reads on past it', async () => {
    const { topic, file, groupId, failures } = await limitedTrigger({ FAIL_FIRST: '3' }, { maximumRetryAttempts: 2 });
    await produce(topic, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await waitFor(
      'the commit past the given-up batch',
      async () => ((await committedOffset(groupId, topic)) === '2' ? true : undefined),
      60_000,
    );
    expect(recorded(file)).toHaveLength(3);
    const [object, ...more] = await failures.objects();
    expect(more).toEqual([]);
    expect((await failures.keys())[0]).toMatch(
      new RegExp(
        `^aws/lambda/[0-9a-f-]{36}/${topic.replace(/\./g, '\\.')}-0/\\d{4}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}\\.\\d{2}\\.\\d{2}-[0-9a-f-]{36}$`,
      ),
    );
    expect(object).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      KafkaBatchInfo: { batchSize: 2 },
    });
    expect(object?.payload).toEqual(recorded(file)[2]?.event);
    await produce(topic, [{ key: 'c', value: '3' }]);
    await waitFor('the next batch', () => (recorded(file).length === 4 ? true : undefined));
    expect((recorded(file)[3]?.event as unknown as MskEvent).records[`${topic}-0`]?.map((r) => r.offset)).toEqual([2]);
    expect(await failures.keys()).toHaveLength(1);
  });

  it('sends records older than the maximum record age to the destination without invoking the function', async () => {
    const { topic, file, groupId, failures } = await limitedTrigger({}, { maximumRecordAgeSeconds: 60 });
    await produce(topic, [
      { key: 'old', value: '1', timestamp: String(Date.now() - 3_600_000) },
      { key: 'new', value: '2' },
    ]);
    await waitFor(
      'the commit',
      async () => ((await committedOffset(groupId, topic)) === '2' ? true : undefined),
      60_000,
    );
    expect(
      recorded(file).map((i) => (i.event as unknown as MskEvent).records[`${topic}-0`]?.map((r) => r.offset)),
    ).toEqual([[1]]);
    const [object] = await failures.objects();
    expect(object).toMatchObject({ requestContext: { condition: 'RecordAgeExceeded', approximateInvokeCount: 0 } });
    expect(((object?.payload as MskEvent).records[`${topic}-0`] ?? []).map((r) => r.offset)).toEqual([0]);
  });

  it('delivers DynamoDB writes as INSERT with NewImage and deletes as REMOVE, in order', async () => {
    const dynamodb = new DynamoDBClient(localClientConfig());
    const table = `it-runtime-${randomUUID().slice(0, 8)}`;
    const created = await createStreamTable(dynamodb, table);
    const streamArn = String(created.TableDescription?.LatestStreamArn);
    const file = recordFile();
    try {
      runtime = await startRuntime(
        NO_CONFIG,
        [
          recorderFunction('streamTest', file, {
            streams: [
              {
                kind: 'stream',
                arn: streamArn,
                batchSize: 10,
                startingPosition: 'TRIM_HORIZON',
                maximumRetryAttempts: 2,
                reportBatchItemFailures: true,
              },
            ],
          }),
        ],
        { log: quiet },
      );
      await dynamodb.send(
        new PutItemCommand({ TableName: table, Item: { pk: { S: 'k1' }, status: { S: 'RETRIABLE' } } }),
      );
      await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'k1' } } }));
      const records = await waitFor('two stream records', () => {
        const all = recorded(file).flatMap((i) => (i.event as { Records: Record<string, unknown>[] }).Records);
        return all.length >= 2 ? all : undefined;
      });
      expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'REMOVE']);
      expect(records[0]).toMatchObject({
        eventSource: 'aws:dynamodb',
        eventSourceARN: streamArn,
        dynamodb: {
          Keys: { pk: { S: 'k1' } },
          NewImage: { pk: { S: 'k1' }, status: { S: 'RETRIABLE' } },
          StreamViewType: 'NEW_AND_OLD_IMAGES',
          SequenceNumber: expect.any(String),
        },
      });
      expect(records[1]).toMatchObject({ dynamodb: { OldImage: { pk: { S: 'k1' }, status: { S: 'RETRIABLE' } } } });
    } finally {
      await dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      dynamodb.destroy();
    }
  });

  it('re-delivers a stream batch from the first record the handler reports as failed', async () => {
    const dynamodb = new DynamoDBClient(localClientConfig());
    const table = `it-runtime-${randomUUID().slice(0, 8)}`;
    const created = await createStreamTable(dynamodb, table);
    const file = recordFile();
    try {
      for (const pk of ['a', 'b', 'c'])
        await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk } } }));
      runtime = await startRuntime(
        NO_CONFIG,
        [
          recorderFunction(
            'partial',
            file,
            {
              streams: [
                {
                  kind: 'stream',
                  arn: String(created.TableDescription?.LatestStreamArn),
                  batchSize: 10,
                  startingPosition: 'TRIM_HORIZON',
                  maximumRetryAttempts: 3,
                  reportBatchItemFailures: true,
                },
              ],
            },
            { REPORT_FAILURE_AT: '1' },
          ),
        ],
        { log: quiet },
      );
      const batches = await waitFor('the re-delivery', () => {
        const all = recorded(file).map((i) =>
          (i.event as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] }).Records.map(
            (r) => r.dynamodb.Keys.pk.S,
          ),
        );
        return all.length >= 2 ? all : undefined;
      });
      expect(batches.slice(0, 2)).toEqual([
        ['a', 'b', 'c'],
        ['b', 'c'],
      ]);
    } finally {
      await dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      dynamodb.destroy();
    }
  });

  it('keeps reading a DynamoDB stream through an outage of the Streams API, and delivers what was written meanwhile', async () => {
    const dynamodb = new DynamoDBClient(localClientConfig());
    const table = `it-runtime-${randomUUID().slice(0, 8)}`;
    const created = await createStreamTable(dynamodb, table);
    const outage = { on: false };
    const proxy = await faultProxy(localEndpoint(), () => (outage.on ? 'refused' : undefined));
    const file = recordFile();
    const keys = (): string[] =>
      recorded(file).flatMap((i) =>
        (i.event as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] }).Records.map(
          (r) => r.dynamodb.Keys.pk.S,
        ),
      );
    const endpoint = process.env.AWS_ENDPOINT_URL;
    const restoreEndpoint = (): void => {
      if (endpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = endpoint;
    };
    try {
      // The trigger's Streams client is made as the runtime starts: it reaches moto through the proxy.
      process.env.AWS_ENDPOINT_URL = proxy.url;
      runtime = await startRuntime(
        NO_CONFIG,
        [
          recorderFunction('outage', file, {
            streams: [
              {
                kind: 'stream',
                arn: String(created.TableDescription?.LatestStreamArn),
                batchSize: 10,
                startingPosition: 'TRIM_HORIZON',
                maximumRetryAttempts: 2,
                reportBatchItemFailures: true,
              },
            ],
          }),
        ],
        { log: quiet },
      );
      restoreEndpoint();
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'before' } } }));
      await waitFor('the record written before the outage', () => (keys().includes('before') ? true : undefined));
      outage.on = true;
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'during' } } }));
      // The SDK tries a call 3 times: past 6 resets, calls have failed for good, more than once.
      await waitFor('Streams calls failing for good', () => (proxy.refused > 6 ? true : undefined));
      outage.on = false;
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'after' } } }));
      await waitFor(
        'the records written during and after the outage',
        () => (keys().includes('after') ? true : undefined),
        60_000,
      );
      expect(keys()).toEqual(['before', 'during', 'after']);
    } finally {
      restoreEndpoint();
      await proxy.close();
      await dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      dynamodb.destroy();
    }
  });

  it('starts none of the invocations queued behind a running one once its host is closed', async () => {
    const file = recordFile();
    const host = new FunctionHost(recorderFunction('queued', file, {}, { SLEEP_MS: '5000' }), quiet);
    const outcomes = [host.invoke({ n: 1 }), host.invoke({ n: 2 }), host.invoke({ n: 3 })].map((p) =>
      p.then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    await waitFor('the first invocation running', () => (recorded(file).length > 0 ? true : undefined));
    await host.close();
    expect(await Promise.all(outcomes)).toEqual([
      expect.stringContaining('exited'),
      expect.stringContaining('the function host is closed'),
      expect.stringContaining('the function host is closed'),
    ]);
    expect(recorded(file)).toHaveLength(1);
  });

  it.each([
    [undefined, 'KafkaPublisher'],
    ['kafkajs', 'KafkaPublisher'],
    ['platformatic', 'PlatformaticKafkaPublisher'],
  ])(
    'puts the Kafka client CDC_LOCAL_KAFKA_CLIENT=%s names behind the publisher port (%s), and it publishes',
    async (client, expected) => {
      const topic = await newTopic();
      const env = { KAFKA_BROKERS: localKafkaBrokers().join(','), TOPIC: topic };
      const probe = {
        ...recorderFunction(
          'kafka-client',
          recordFile(),
          {},
          client === undefined ? env : { ...env, CDC_LOCAL_KAFKA_CLIENT: client },
        ),
        handlerFile: path.join(__dirname, '..', 'helpers', 'runtime-handlers', 'kafka-client.ts'),
      };
      runtime = await startRuntime(NO_CONFIG, [probe], { log: quiet });
      await expect(runtime.fire('kafka-client', {})).resolves.toEqual({
        client: expected,
        receipts: [expect.objectContaining({ partition: 0, baseOffset: '0' })],
      });
      expect(await topicEnd(topic)).toBe('1');
    },
  );

  it('fails the cold start of a function given an unknown CDC_LOCAL_KAFKA_CLIENT, naming it', async () => {
    const probe = {
      ...recorderFunction('kafka-client', recordFile(), {}, { CDC_LOCAL_KAFKA_CLIENT: 'rdkafka' }),
      handlerFile: path.join(__dirname, '..', 'helpers', 'runtime-handlers', 'kafka-client.ts'),
    };
    runtime = await startRuntime(NO_CONFIG, [probe], { log: quiet });
    await expect(runtime.fire('kafka-client', {})).rejects.toThrow(
      'CDC_LOCAL_KAFKA_CLIENT must be kafkajs or platformatic, got "rdkafka"',
    );
  });

  it('ends an invocation that outlives the function timeout, like Lambda', async () => {
    const file = recordFile();
    runtime = await startRuntime(
      NO_CONFIG,
      [recorderFunction('slow', file, { timeoutSeconds: 1 }, { SLEEP_MS: '5000' })],
      { log: quiet },
    );
    await expect(runtime.fire('slow', { any: 'thing' })).rejects.toThrow('Task timed out after 1.00 seconds');
  });
});
