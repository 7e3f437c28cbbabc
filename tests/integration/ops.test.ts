/**
 * The operator commands against the real local stack: moto's DynamoDB, S3 and SNS, Kafka and the
 * Glue registry on moto, on a private copy of the pipeline (own tables, bucket and topics), so
 * nothing here touches the stack's own data or anyone else's test.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { EMRServerlessClient, ListApplicationsCommand } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { type CheckpointStore, openCheckpointStore } from '../../lib/checkpoint';
import { parseCheckpointStore } from '../../lib/config';
import { DynamoDbFallbackStore, type ParkedEvent, S3StaleArchiveWriter } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { type PollSummary, pollEntity } from '../../lib/poller';
import { EmrServerlessRunner, jobSpec } from '../../lib/jobs';
import { KafkaPublisher } from '../../lib/publish';
import { archiveAndAlert, type RedrivePolicy, SnsAlerts, sweep } from '../../lib/redrive';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { DEFAULT_MAPPING, HttpSource } from '../../lib/source';
import { consumeTopic } from '../../local/demo/pipeline';
import { scanAll } from '../../local/scratch-tables';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { faultProxy } from '../../local/fault-proxy';
import { startRuntime } from '../../local/runtime';
import { redriveConsumerCommand } from '../../ops/cli/redrive-consumer';
import { redriveStaleCommand } from '../../ops/cli/redrive-stale';
import { replayCommand } from '../../ops/cli/replay';
import { applyReplay, collectStatus, type OpsStage, openStage, planReplay, resolveStage } from '../../ops';
import { EmrServerlessJobRuns } from '../../ops/status/job-runs';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localClientConfig, localConfig, localKafkaBrokers, localPostgresPool } from '../helpers/local-stack';
import { localKafka } from '../../local/kafka-client';
import { withSave } from '../helpers/checkpoints';
import { waitFor } from '../helpers/runtime';
import { customerChange } from '../helpers/schemas';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Rig {
  readonly p: IsolatedPipeline;
  readonly stage: OpsStage;
  readonly fallback: DynamoDbFallbackStore;
  readonly checkpoints: CheckpointStore;
  readonly serde: GlueAvroSerde;
  /** One sweep of the real retry core over this pipeline's table (Kafka, S3 archive, SNS alert). */
  sweep(): ReturnType<typeof sweep>;
  /** The retry function's archiving of STALE/SUPERSEDED items, on its own. */
  archiveStale(): ReturnType<typeof archiveAndAlert>;
  parked(): Promise<Record<string, unknown>[]>;
}

/**
 * A private pipeline, and the stage `local` re-pointed at its tables, bucket and topics; its
 * checkpoints in DynamoDB, or in a table of its own on the local PostgreSQL (the secret on moto).
 */
async function rig(store: 'dynamodb' | 'postgres' = 'dynamodb'): Promise<Rig> {
  const p = await isolatedPipeline({ functions: [] });
  cleanups.push(() => p.close());
  const config = await localConfig();
  const local = await resolveStage('local', { config });
  const checkpointStore = parseCheckpointStore(
    {
      ...(config.functions.poller?.environment as Record<string, string>),
      CDC_CHECKPOINT_STORE: store,
      CDC_CHECKPOINT_TABLE: store === 'postgres' ? `${p.prefix}_checkpoints` : p.checkpointTable,
    },
    'local',
  );
  const stage: OpsStage = {
    ...local,
    topicPrefix: p.prefix,
    checkpointStore,
    fallbackTable: p.fallbackTable,
    rawBucket: p.rawBucket,
    archiveBucket: p.rawBucket,
  };
  const glue = new GlueClient(localClientConfig());
  const sns = new SNSClient(localClientConfig());
  const secrets = new SecretsManagerClient(localClientConfig());
  const checkpoints = openCheckpointStore(checkpointStore, { dynamodb: p.dynamodb, secrets });
  cleanups.push(async () => {
    await checkpoints.close();
    secrets.destroy();
    if (checkpointStore.kind === 'postgres') {
      const pool = localPostgresPool();
      await pool.query(`DROP TABLE IF EXISTS "${checkpointStore.table}"`).finally(() => pool.end());
    }
  });
  const publisher = new KafkaPublisher({
    brokers: localKafkaBrokers(),
    clientId: 'it-ops',
    connectionTimeoutMs: 1000,
    retries: 1,
    cooldownMs: 1000,
  });
  cleanups.push(async () => {
    await publisher.close();
    glue.destroy();
    sns.destroy();
  });
  const serde = new GlueAvroSerde(
    new SchemaCache(new GlueSchemaRegistry(glue, p.registry), { latestTtlMs: 0, maxEntries: 20 }),
  );
  const policy: RedrivePolicy = {
    backoffBaseMs: 200,
    backoffCapMs: 1000,
    sweepBatchSize: 200,
    claimMs: 60_000,
    concurrency: 4,
    stale: { default: { maxAgeSeconds: 86_400, maxAttempts: 100 } },
    topicOf: p.topic,
    compressionOf: () => 'none',
  };
  const retry = {
    store: new DynamoDbFallbackStore(p.dynamodb, p.s3, { tableName: p.fallbackTable }),
    publisher,
    serde,
    archive: new S3StaleArchiveWriter(p.s3, p.rawBucket),
    alerts: new SnsAlerts(sns, p.alertTopicArn),
    stage: 'local',
    log: createLogger({}, () => undefined),
    now: () => new Date(),
  };
  return {
    p,
    stage,
    serde,
    fallback: new DynamoDbFallbackStore(p.dynamodb, p.s3, { tableName: p.fallbackTable, payloadBucket: p.rawBucket }),
    checkpoints: checkpoints.store,
    sweep: () => sweep({ ...retry, owner: `it-${randomUUID()}` }, policy),
    archiveStale: () => archiveAndAlert({ ...retry, owner: `it-${randomUUID()}` }, 100),
    parked: () => scanAll(p.dynamodb, p.fallbackTable),
  };
}

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');

function parkedChange(entity: string, id: string, minute: number, overrides: Partial<ParkedEvent> = {}): ParkedEvent {
  const updatedAt = new Date(T0 + minute * MINUTE).toISOString();
  const eventId = randomUUID().replace(/-/g, '');
  return {
    entity,
    id,
    updatedAt,
    eventId,
    payload: customerChange({ id, updatedAt, eventId }, { id }),
    status: 'RETRIABLE',
    reason: 'KAFKA_UNAVAILABLE',
    error: 'broker down',
    attempts: 1,
    firstSeenAt: updatedAt,
    nextAttemptAt: updatedAt,
    ...overrides,
  };
}

/** Command I/O that is not a terminal: commands must be given --yes. */
function scriptIo() {
  const out: string[] = [];
  return {
    out,
    io: {
      out: (t: string) => void out.push(t),
      err: (t: string) => void out.push(t),
      interactive: false,
      ask: async () => '',
    },
  };
}

describe('npm run status', () => {
  it('counts a parked backlog by entity, status and reason with its oldest item, and shows it empty once the retry function drained it', async () => {
    const r = await rig();
    await r.fallback.park([
      parkedChange('customer', 'c-1', 1),
      parkedChange('customer', 'c-2', 2),
      parkedChange('customer', 'c-1', 3, { reason: 'PARKED_BEHIND_KEY' }),
      parkedChange('customer', 'c-3', 0, { status: 'AMBIGUOUS', reason: 'SCHEMA_NOT_FOUND' }),
    ]);
    await r.checkpoints.save(
      'customer',
      { updatedAt: new Date(T0 + 3 * MINUTE).toISOString(), eventIdsAtUpdatedAt: [] },
      undefined,
      'it-run',
    );

    const before = await collectStatus(r.stage);
    expect(before.fallback).toMatchObject({
      total: 4,
      byStatus: { RETRIABLE: 3, AMBIGUOUS: 1, SUPERSEDED: 0, STALE: 0 },
    });
    expect(before.fallback.counts).toEqual([
      { entity: 'customer', status: 'RETRIABLE', reason: 'KAFKA_UNAVAILABLE', count: 2 },
      { entity: 'customer', status: 'RETRIABLE', reason: 'PARKED_BEHIND_KEY', count: 1 },
      { entity: 'customer', status: 'AMBIGUOUS', reason: 'SCHEMA_NOT_FOUND', count: 1 },
    ]);
    expect(before.fallback.oldest).toMatchObject({
      entity: 'customer',
      id: 'c-3',
      reason: 'SCHEMA_NOT_FOUND',
      parkedAt: new Date(T0).toISOString(),
    });
    expect(before.entities.find((e) => e.entity === 'customer')).toMatchObject({
      parked: 4,
      checkpoint: { version: 1, savedBy: 'it-run' },
    });
    expect(before.entities.find((e) => e.entity === 'invoice')).toMatchObject({ checkpoint: null, parked: 0 });
    expect(before.problems).toEqual([]);

    await waitFor(
      'the retry function to drain the backlog',
      async () => {
        await r.sweep();
        return (await r.parked()).length === 0 ? true : undefined;
      },
      90_000,
    );
    const after = await collectStatus(r.stage);
    expect(after.fallback).toEqual({
      total: 0,
      due: 0,
      byStatus: { RETRIABLE: 0, AMBIGUOUS: 0, SUPERSEDED: 0, STALE: 0 },
      counts: [],
      oldest: null,
    });
    expect(after.entities.every((e) => e.parked === 0)).toBe(true);
  });
});

describe('npm run replay', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulatorServer({ seed: 41 });
    cleanups.push(() => sim.close());
  });

  function poller(r: Rig) {
    const publisher = new KafkaPublisher({
      brokers: localKafkaBrokers(),
      clientId: 'it-ops-poller',
      connectionTimeoutMs: 1000,
      retries: 1,
      cooldownMs: 1000,
    });
    cleanups.push(() => publisher.close());
    const source = new HttpSource({
      baseUrl: new URL(sim.url),
      mappingOf: () => DEFAULT_MAPPING,
      token: async () => undefined,
      pageLimit: 25,
      requestTimeoutMs: 2000,
      maxResponseBytes: 5_000_000,
      retry: { retries: 3, initialDelayMs: 5, maxDelayMs: 50 },
    });
    return (checkpoints: CheckpointStore = r.checkpoints): Promise<PollSummary> =>
      pollEntity(
        {
          source,
          checkpoints,
          publisher,
          fallback: r.fallback,
          serde: r.serde,
          log: createLogger({}, () => undefined),
        },
        {
          entity: 'customer',
          topic: r.p.topic('customer'),
          schemaName: r.p.topic('customer'),
          compression: 'none',
          runId: `it-${randomUUID()}`,
          leaseMs: 60_000,
          limits: { maxPages: 1000, maxConsecutiveEmptyPages: 3 },
          outOfTime: () => false,
        },
      );
  }

  it.each(['dynamodb', 'postgres'] as const)(
    'checkpoints in %s: resets the checkpoint to the time given, and the next poller run re-publishes every change from that time on, and none before',
    async (store) => {
      const r = await rig(store);
      sim.simulator.generate(120, ['customer']);
      const poll = poller(r);
      const first = await poll();
      const times = sim.simulator
        .state(['customer'])
        .entities.customer!.records.map((x) => x.updatedAt)
        .sort();
      expect(first).toMatchObject({ published: times.length, parked: {} });
      const from = times[Math.floor(times.length / 2)]!;

      const version = (await r.checkpoints.load('customer'))!.version;
      const cli = scriptIo();
      const code = await replayCommand(
        ['--stage', 'local', '--entity', 'customer', '--from', from, '--yes'],
        cli.io,
        () => openStage(r.stage),
      );
      expect(cli.out.join('\n')).toContain(`Checkpoint of customer reset to ${from}, version ${version + 1}`);
      expect(code).toBe(0);
      expect(await r.checkpoints.load('customer')).toMatchObject({
        version: version + 1,
        position: { updatedAt: from, eventIdsAtUpdatedAt: [] },
      });

      const second = await poll();
      expect(second.checkpointBefore.updatedAt).toBe(from);
      expect(second.published).toBe(times.filter((t) => t >= from).length);
      const { messages } = await consumeTopic(r.p.topic('customer'), r.p.registry);
      const perEvent = new Map<string, number>();
      for (const m of messages)
        perEvent.set(m.headers['cdc-event-id']!, (perEvent.get(m.headers['cdc-event-id']!) ?? 0) + 1);
      const twice = messages
        .filter((m) => perEvent.get(m.headers['cdc-event-id']!) === 2)
        .map((m) => String(m.value.updatedAt));
      expect(Math.min(...twice.map(Date.parse))).toBe(Date.parse(from));
      expect(
        messages
          .filter((m) => String(m.value.updatedAt) < from)
          .every((m) => perEvent.get(m.headers['cdc-event-id']!) === 1),
      ).toBe(true);
      expect(messages).toHaveLength(first.published + second.published);
    },
  );

  it.each(['dynamodb', 'postgres'] as const)(
    'checkpoints in %s: a poller run in flight during the reset stops at its next save (a conditional write) instead of overwriting the reset',
    async (store) => {
      const r = await rig(store);
      sim.simulator.generate(100, ['customer']);
      const poll = poller(r);
      const times = sim.simulator
        .state(['customer'])
        .entities.customer!.records.map((x) => x.updatedAt)
        .sort();
      const from = times[0]!;
      let saves = 0;
      const resetAfterFirstSave = withSave(r.checkpoints, async (entity, position, version, runId) => {
        const saved = await r.checkpoints.save(entity, position, version, runId);
        saves += 1;
        if (saves === 1)
          await applyReplay(
            r.checkpoints,
            await planReplay(r.checkpoints, { entity, from: new Date(from) }, new Date()),
            'it-ops-replay',
          );
        return saved;
      });
      const run = await poll(resetAfterFirstSave);
      expect(run.stoppedBecause).toBe('another run is ahead');
      expect(await r.checkpoints.load('customer')).toMatchObject({
        version: 2,
        savedBy: 'it-ops-replay',
        position: { updatedAt: from, eventIdsAtUpdatedAt: [] },
      });
    },
  );
});

describe('npm run redrive-stale', () => {
  it('puts an archived stale event back into the fallback table, idempotently, and the retry function then publishes it once', async () => {
    const r = await rig();
    const event = parkedChange('customer', 'c-9', 5, {
      status: 'STALE',
      reason: 'KAFKA_UNAVAILABLE',
      attempts: 100,
      firstSeenAt: '2026-11-01T00:00:00.000Z',
    });
    await r.fallback.park([event]);
    const archived = await r.archiveStale();
    expect(archived).toMatchObject({ archived: 1, alerted: true });
    expect(await r.parked()).toEqual([]);
    const key = archived.archive!.replace(`s3://${r.p.rawBucket}/`, '');
    const status = await collectStatus(r.stage);
    expect(status.stale.archived).toMatchObject({
      objects: 1,
      events: 1,
      byStatus: { STALE: 1 },
      latest: archived.archive,
    });

    const first = scriptIo();
    expect(
      await redriveStaleCommand(['--stage', 'local', '--archive', key, '--yes'], first.io, () => openStage(r.stage)),
    ).toBe(0);
    expect(first.out.join('\n')).toContain(`Put back 1 event(s) into ${r.p.fallbackTable}.`);
    const items = await r.parked();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      pk: 'customer#c-9',
      sk: `${event.updatedAt}#${event.eventId}`,
      status: 'AMBIGUOUS',
      reason: 'KAFKA_UNAVAILABLE',
      attempts: 0,
      redrivenFrom: archived.archive,
      originalFirstSeenAt: '2026-11-01T00:00:00.000Z',
    });

    const second = scriptIo();
    expect(await redriveStaleCommand(['--stage', 'local', '--yes'], second.io, () => openStage(r.stage))).toBe(0);
    expect(second.out.join('\n')).toContain('Nothing to put back.');
    expect(await r.parked()).toHaveLength(1);

    await waitFor(
      'the retry function to publish the re-driven event',
      async () => {
        await r.sweep();
        return (await r.parked()).length === 0 ? true : undefined;
      },
      90_000,
    );
    const third = scriptIo();
    expect(await redriveStaleCommand(['--stage', 'local', '--yes'], third.io, () => openStage(r.stage))).toBe(0);
    expect(await r.parked()).toEqual([]);
    const { messages } = await consumeTopic(r.p.topic('customer'), r.p.registry);
    expect(messages.map((m) => m.headers['cdc-event-id'])).toEqual([event.eventId]);
  });
});

describe('job runs on a deployed stage', () => {
  it('are read with ListJobRuns on the application named in serverless.yml (moto records runs without running them)', async () => {
    const stage = await resolveStage('local', { config: await localConfig() });
    const emr = new EMRServerlessClient(localClientConfig());
    cleanups.push(async () => emr.destroy());
    const app = ((await emr.send(new ListApplicationsCommand({}))).applications ?? []).find(
      (a) => a.name === stage.emrApplication,
    );
    const spec = {
      ...jobSpec('batch', ['customer'], {
        stage: 'local',
        rawBucket: 'r',
        lakeBucket: 'l',
        artifactsBucket: 'a',
        schemaRegistry: 's',
        topicPrefix: 'cdc',
      }),
      name: `it-ops-${randomUUID()}`,
    };
    const jobRunId = await new EmrServerlessRunner(emr, app!.id!, 'arn:aws:iam::123456789012:role/SparkJobRole').start(
      spec,
      randomUUID(),
    );

    const runs = await new EmrServerlessJobRuns(emr, stage.emrApplication).runsSince(
      new Date(Date.now() - 2 * 86_400_000),
    );
    expect(runs).toContainEqual(expect.objectContaining({ name: spec.name, jobRunId, stateFrom: 'emr-serverless' }));
    await expect(new EmrServerlessJobRuns(emr, 'no-such-application').runsSince(new Date(0))).rejects.toThrow(
      'EMR Serverless application no-such-application not found',
    );
  });
});

/**
 * moto behind a proxy that answers Glue's GetSchemaVersion for the `hidden` version ids with
 * EntityNotFoundException, as Glue does for a version not (yet) registered; all else is forwarded.
 */
async function glueHiding(target: string, hidden: Set<string>): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const asked =
        req.headers['x-amz-target'] === 'AWSGlue.GetSchemaVersion'
          ? (JSON.parse(body.toString('utf8')) as { SchemaVersionId?: string }).SchemaVersionId
          : undefined;
      if (asked !== undefined && hidden.has(asked)) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({ __type: 'EntityNotFoundException', Message: `Schema version ${asked} is not found.` }),
        );
        return;
      }
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('npm run redrive-consumer', () => {
  /** The stage local re-pointed at a private pipeline's tables, bucket, topics and registry. */
  async function stageOf(p: IsolatedPipeline): Promise<OpsStage> {
    const local = await resolveStage('local', { config: await localConfig() });
    return {
      ...local,
      topicPrefix: p.prefix,
      fallbackTable: p.fallbackTable,
      checkpointStore: { kind: 'dynamodb', table: p.checkpointTable },
      rawBucket: p.rawBucket,
      archiveBucket: p.rawBucket,
      schemaRegistry: p.registry,
    };
  }

  async function produceCustomer(p: IsolatedPipeline, bytes: Buffer, id: string, eventId: string): Promise<void> {
    const producer = localKafka('it-ops-redrive').producer();
    await producer.connect();
    await producer.send({
      topic: p.topic('customer'),
      acks: -1,
      messages: [{ key: id, value: bytes, partition: 0, headers: { 'cdc-event-id': eventId } }],
    });
    await producer.disconnect();
  }

  it('replays a batch the MSK mapping gave up on (S3 down past its retries) from the on-failure destination to raw, and status counts it until then', async () => {
    const config = await localConfig();
    const proxy = await faultProxy(
      String(config.provider.environment?.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000'),
      (method, path) => (method === 'PUT' && path.includes('/raw/') ? 'unavailable' : undefined),
    );
    cleanups.push(() => proxy.close());
    const p = await isolatedPipeline({ functions: ['consumer'], env: { AWS_ENDPOINT_URL: proxy.url } });
    cleanups.push(() => p.close());
    const glue = new GlueClient(localClientConfig());
    cleanups.push(async () => glue.destroy());
    const serde = new GlueAvroSerde(
      new SchemaCache(new GlueSchemaRegistry(glue, p.registry), { latestTtlMs: 0, maxEntries: 10 }),
    );
    const change = customerChange({ id: 'c-2', eventId: 'f'.repeat(32) }, { id: 'c-2' });
    await produceCustomer(p, (await serde.encode(p.topic('customer'), change)).bytes, 'c-2', 'f'.repeat(32));

    const rt = await startRuntime(
      config,
      p.definitions.map((d) => ({ ...d, msk: d.msk.map((m) => ({ ...m, maximumRetryAttempts: 0 })) })),
      { log: () => undefined },
    );
    try {
      await waitFor(
        'the given-up batch',
        async () => ((await p.list('aws/lambda/')).length > 0 ? true : undefined),
        60_000,
      );
    } finally {
      await rt.stop();
    }
    expect(await p.list('raw/')).toEqual([]);
    const stage = await stageOf(p);
    expect((await collectStatus(stage)).consumerFailures).toMatchObject({
      destination: `s3://${p.rawBucket}/aws/lambda/`,
      batches: 1,
    });

    const run = scriptIo();
    expect(await redriveConsumerCommand(['--stage', 'local', '--yes'], run.io, () => openStage(stage))).toBe(0);
    expect(run.out.join('\n')).toContain('1 given-up batch(es) replayed to raw');
    const [key] = await p.list('raw/');
    expect(key).toMatch(new RegExp(`/${p.topic('customer')}-0-0-0\\.jsonl\\.gz$`));
    expect(gunzipSync(await p.get(key!)).toString('utf8')).toContain('"id":"c-2"');
    expect(await p.list('aws/lambda/')).toEqual([]);
    expect((await collectStatus(stage)).consumerFailures.batches).toBe(0);
  });

  it('writes a record dead-lettered for a schema version Glue did not know to raw once the version exists, and removes its item', async () => {
    const config = await localConfig();
    const hidden = new Set<string>();
    const proxy = await glueHiding(
      String(config.provider.environment?.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000'),
      hidden,
    );
    cleanups.push(() => proxy.close());
    const p = await isolatedPipeline({ functions: ['consumer'], env: { AWS_ENDPOINT_URL: proxy.url } });
    cleanups.push(() => p.close());
    const glue = new GlueClient(localClientConfig());
    cleanups.push(async () => glue.destroy());
    const registry = new GlueSchemaRegistry(glue, p.registry);
    const serde = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 0, maxEntries: 10 }));
    // The consumer's Glue does not know the version the record is framed with.
    hidden.add((await registry.getLatestVersion(p.topic('customer'))).schemaVersionId);
    const change = customerChange({ id: 'c-1', eventId: 'e'.repeat(32) }, { id: 'c-1' });
    const { bytes } = await serde.encode(p.topic('customer'), change);
    await produceCustomer(p, bytes, 'c-1', change.eventId as string);

    const rt = await startRuntime(config, p.definitions, { log: () => undefined });
    try {
      await waitFor(
        'the dead letter',
        async () => ((await scanAll(p.dynamodb, p.fallbackTable)).length > 0 ? true : undefined),
        60_000,
      );
    } finally {
      await rt.stop();
    }
    const items = await scanAll(p.dynamodb, p.fallbackTable);
    expect(items).toEqual([
      expect.objectContaining({ entity: 'customer', id: 'c-1', status: 'AMBIGUOUS', reason: 'SCHEMA_NOT_FOUND' }),
    ]);
    expect(await p.list('dead-letter/')).toEqual([`dead-letter/entity=customer/${p.topic('customer')}-0-0.json`]);
    expect(await p.list('raw/')).toEqual([]);

    const stage = await stageOf(p);
    const dry = scriptIo();
    expect(await redriveConsumerCommand(['--stage', 'local', '--dry-run'], dry.io, () => openStage(stage))).toBe(0);
    expect(dry.out.join('\n')).toContain('1 dead-lettered record(s)');
    expect(dry.out.join('\n')).toContain('Dry run: nothing changed.');
    expect(await scanAll(p.dynamodb, p.fallbackTable)).toHaveLength(1);
    expect(await p.list('raw/')).toEqual([]);

    const run = scriptIo();
    expect(await redriveConsumerCommand(['--stage', 'local', '--yes'], run.io, () => openStage(stage))).toBe(0);
    const [key, ...more] = await p.list('raw/');
    expect(more).toEqual([]);
    expect(key).toMatch(
      new RegExp(`^raw/entity=customer/dt=\\d{4}-\\d{2}-\\d{2}/${p.topic('customer')}-0-0-0\\.jsonl\\.gz$`),
    );
    const rows = gunzipSync(await p.get(key!))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      expect.objectContaining({
        id: 'c-1',
        _event_id: 'e'.repeat(32),
        _kafka_topic: p.topic('customer'),
        _kafka_partition: 0,
        _kafka_offset: 0,
      }),
    ]);
    expect(await scanAll(p.dynamodb, p.fallbackTable)).toEqual([]);
    expect(run.out.join('\n')).toContain('1 dead-lettered record(s) written to raw');
  });
});
