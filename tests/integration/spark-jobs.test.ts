/**
 * End to end on the local stack: simulator → poller → Kafka → consumer → raw bucket → the job
 * launcher (on stage local: moto's EMR Serverless API records the run, spark-submit runs it) →
 * Delta tables, compared row by row with the simulator's current state.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { LaunchedRun } from '../../lib/jobs';
import type { PollSummary } from '../../lib/poller';
import { CreateDatabaseCommand, DeleteDatabaseCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry, registerSchema, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { type DeltaDump, DeltaReader } from '../../local/demo/delta';
import { consumeTopic } from '../../local/demo/pipeline';
import { rowDifferences, type Row, type SourceRecord } from '../../local/demo/reconcile';
import { readRun } from '../../stage/emr-runs';
import { stopLocalRun } from '../../local/emr/local-runner';
import type { SupervisedStream } from '../../lib/jobs';
import { uploadJobArtifacts } from '../../local/jobs/upload';
import { type Runtime, startRuntime } from '../../local/runtime';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localClientConfig, localConfig } from '../helpers/local-stack';
import { localKafka } from '../../local/kafka-client';
import { dataFields, evolve, schemaFile } from '../helpers/schemas';
import { waitFor } from '../helpers/runtime';

// Several spark-submit runs on a 2-core machine: minutes, not seconds.
jest.setTimeout(15 * 60_000);

let sim: RunningSimulator;
let p: IsolatedPipeline;
let rt: Runtime;
/** One Spark session reads the tables back after every run (a JVM per read would cost ~20 s each). */
let delta: DeltaReader;

const CATALOG_DATABASE = `it_lake_${Date.now().toString(36)}`;

beforeAll(async () => {
  const glue = new GlueClient(localClientConfig());
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: CATALOG_DATABASE } }));
  glue.destroy();
  sim = await startSimulatorServer({ seed: 41, faults: { tieRate: 0.3 } });
  // One Spark application for all three entities keeps the test to one JVM at a time.
  p = await isolatedPipeline({
    functions: ['poller', 'consumer', 'jobLauncher'],
    sourceUrl: sim.url,
    // The scheduled run keeps a stream going (the last test); the others invoke their mode directly.
    env: {
      CDC_JOB_GROUPING: 'all',
      CDC_LAKE_MODE: 'streaming',
      CDC_STREAM_TRIGGER_SECONDS: '5',
      // Its own catalog database on moto, where the jobs register the tables (as AWS::Glue::Database).
      CDC_CATALOG_DATABASE: CATALOG_DATABASE,
    },
  });
  // This checkout's job code, in the private bucket: the shared artifacts bucket holds what the stack was provisioned with.
  await uploadJobArtifacts(p.rawBucket, p.s3);
  p.definitions.forEach((d) => {
    if (d.name === 'jobLauncher')
      Object.assign(d.environment, { CDC_LAKE_BUCKET: p.rawBucket, CDC_ARTIFACTS_BUCKET: p.rawBucket });
  });
  rt = await startRuntime(await localConfig(), p.definitions, { log: () => undefined });
  delta = new DeltaReader(
    String((await localConfig()).provider.environment?.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000'),
  );
});

/** The registry clients the schema-evolution steps opened. */
const glueClients: GlueClient[] = [];

/** The supervised streams the last test started: stopped by their PIDs, whatever the test's outcome. */
const streams: string[] = [];

afterAll(async () => {
  for (const jobRunId of streams) await stopLocalRun(jobRunId);
  for (const glue of glueClients) glue.destroy();
  await delta?.close();
  await rt?.stop();
  await sim?.close();
  await p?.close();
  const glue = new GlueClient(localClientConfig());
  await glue.send(new DeleteDatabaseCommand({ Name: CATALOG_DATABASE })).catch(() => undefined);
  glue.destroy();
});

const lake = (entity: string): string => `s3://${p.rawBucket}/delta/${entity}`;

async function pollAll(): Promise<void> {
  for (const entity of p.entities) await rt.fire('poller', { entity });
}

/** Waits until the consumer has written every change on the entity topics to the raw bucket. */
async function rawCaughtUp(): Promise<void> {
  let expected = 0;
  for (const entity of p.entities) expected += (await consumeTopic(p.topic(entity), p.registry)).messages.length;
  await waitFor(
    `${expected} raw rows`,
    async () => {
      let rows = 0;
      for (const key of await p.list('raw/'))
        rows += gunzipSync(await p.get(key))
          .toString()
          .split('\n')
          .filter(Boolean).length;
      return rows >= expected ? true : undefined;
    },
    60_000,
  );
}

/** Launches a job run and waits for its real (spark-submit) outcome; returns its summaries. */
async function runJob(mode: 'batch' | 'streaming'): Promise<{ run: LaunchedRun; summaries: Row[] }> {
  const { runs } = (await rt.fire('jobLauncher', { mode })) as { runs: LaunchedRun[] };
  expect(runs).toHaveLength(1);
  const done = await waitFor(
    `job run ${runs[0]!.jobRunId}`,
    () => {
      const local = readRun(runs[0]!.jobRunId);
      return local && local.state !== 'RUNNING' ? local : undefined;
    },
    300_000,
  );
  const log = readFileSync(done.log, 'utf8');
  expect(
    `${done.state}: ${log
      .split('\n')
      .filter((l) => l.includes('cdc_job_error') || l.includes('Traceback'))
      .join('\n')}`,
  ).toBe('SUCCESS: ');
  const summaries = log
    .split('\n')
    .filter((l) => l.startsWith('{"cdc_job_summary"'))
    .map((l) => (JSON.parse(l) as { cdc_job_summary: Row }).cdc_job_summary);
  return { run: runs[0]!, summaries };
}

function dumpTables(): Promise<DeltaDump> {
  return delta.dump(p.entities.map(lake));
}

function expectTablesEqualSource(tables: Map<string, Row[]>): void {
  for (const entity of p.entities) {
    const state = sim.simulator.state([entity as never]).entities[entity as never]! as { records: SourceRecord[] };
    const live = state.records.filter((r) => r.op === 'UPSERT');
    const rows = new Map((tables.get(entity) ?? []).map((r) => [String(r.id), r]));
    expect([...rows.keys()].sort()).toEqual(live.map((r) => r.id).sort());
    for (const record of live) {
      expect(`${entity} ${record.id}: ${rowDifferences(rows.get(record.id)!, record).join('; ')}`).toBe(
        `${entity} ${record.id}: `,
      );
    }
  }
}

describe('the Spark jobs through the job launcher on the local stack', () => {
  it('batch: the Delta tables equal the source state row by row, late older duplicates change nothing, a rerun keeps the version', async () => {
    sim.simulator.generate(500);
    await pollAll();
    // Round two: updates and deletes of existing records.
    sim.simulator.generate(300);
    const round2 = await Promise.all(p.entities.map((entity) => rt.fire('poller', { entity }) as Promise<PollSummary>));
    expect(round2.reduce((n, s) => n + s.published, 0)).toBeGreaterThan(50);
    await rawCaughtUp();

    const first = await runJob('batch');
    expect(first.summaries.map((s) => s.entity).sort()).toEqual([...p.entities].sort());
    let tables = await dumpTables();
    expectTablesEqualSource(tables.rows);
    // Each table is in moto's Glue Data Catalog, as Athena reads a Delta table: its location, the Delta type, its columns.
    const glue = new GlueClient(localClientConfig());
    for (const entity of p.entities) {
      const { Table } = await glue.send(new GetTableCommand({ DatabaseName: CATALOG_DATABASE, Name: entity }));
      expect(Table).toMatchObject({
        TableType: 'EXTERNAL_TABLE',
        Parameters: expect.objectContaining({ table_type: 'DELTA', 'spark.sql.sources.provider': 'delta' }),
        StorageDescriptor: expect.objectContaining({ Location: lake(entity) }),
      });
      const columns = (Table!.StorageDescriptor!.Columns ?? []).map((c) => c.Name);
      expect(columns).toEqual(expect.arrayContaining(['id', '_updated_at', '_event_id', '_deleted']));
    }
    glue.destroy();

    // Late, older changes: every message of round one sent again (an at-least-once re-send), after the newer ones.
    const producer = localKafka('it-late').producer();
    await producer.connect();
    for (const entity of p.entities) {
      const { messages } = await consumeTopic(p.topic(entity), p.registry);
      await producer.send({
        topic: p.topic(entity),
        messages: await rawMessages(p.topic(entity), Math.floor(messages.length / 2)),
      });
    }
    await producer.disconnect();
    await rawCaughtUp();
    const second = await runJob('batch');
    expect(second.summaries.every((s) => Number(s.files) > 0)).toBe(true);
    tables = await dumpTables();
    expectTablesEqualSource(tables.rows);

    const rerun = await runJob('batch');
    for (const s of rerun.summaries) {
      expect(s.files).toBe(0);
      expect(s.table_version).toBe(tables.versions.get(String(s.entity)));
    }
  });

  it('streaming with availableNow over the same raw data gives the same tables', async () => {
    const streaming = await runJob('streaming');
    expect(streaming.summaries).toHaveLength(p.entities.length);
    expectTablesEqualSource((await dumpTables()).rows);
  });

  it('a continuous stream the launcher supervises keeps Delta current, is started again after it dies, and applies nothing twice', async () => {
    const check = async (): Promise<SupervisedStream[]> =>
      ((await rt.fire('jobLauncher', { scheduled: true })) as { streams: SupervisedStream[] }).streams;
    const [first] = await check();
    expect(first).toMatchObject({ started: true, name: expect.stringMatching(/^cdc-continuous-/) });
    expect([...first!.entities].sort()).toEqual([...p.entities].sort());
    streams.push(first!.jobRunId);
    // Changes made while it runs reach Delta without any other run.
    sim.simulator.generate(200);
    await pollAll();
    await rawCaughtUp();
    await tablesCatchUp();
    // The stream dies (its process group killed, as a crash); the launcher's next check starts it again, once.
    await stopLocalRun(first!.jobRunId, { signal: 'SIGKILL', record: false });
    const [again] = await check();
    expect(again).toMatchObject({ started: true, name: first!.name });
    expect(again!.jobRunId).not.toBe(first!.jobRunId);
    streams.push(again!.jobRunId);
    const [same] = await check();
    expect(same).toMatchObject({ started: false, jobRunId: again!.jobRunId });
    const before = await messageCount();
    sim.simulator.generate(200);
    await pollAll();
    await rawCaughtUp();
    await tablesCatchUp();
    // The restarted stream read only what came after the first one's last commit (its checkpoint):
    // it applied at most one change per message written since, and some.
    const applied = streamBatches(again!.jobRunId).reduce((n, b) => n + b.changes, 0);
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThanOrEqual((await messageCount()) - before);
    expect(streamBatches(first!.jobRunId).length).toBeGreaterThan(0);
    // A newer invoice schema with an optional field: the next check stops the stream and starts its successor on it.
    const evolved = await evolveSchema('invoice', 'reminderChannel');
    const [successor] = await check();
    expect(successor).toMatchObject({
      started: true,
      name: first!.name,
      restartedBecause: expect.stringMatching(/^started on .*invoice:1.*; latest .*invoice:2/),
    });
    streams.push(successor!.jobRunId);
    expect(readRun(again!.jobRunId)?.state).toBe('CANCELLED');
    const changed = await publishEvolved(evolved, 'invoice', { reminderChannel: 'email' });
    await rawCaughtUp();
    const invoices = await waitFor(
      'the new column through the stream',
      async () => {
        const rows = (await dumpTables()).rows.get('invoice') ?? [];
        const channels = new Map(rows.map((r) => [String(r.id), r.reminderChannel]));
        return changed.every((r) => channels.get(r.id) === 'email') ? rows : undefined;
      },
      240_000,
    );
    // The rows of before have the column too, null.
    const others = invoices.filter((r) => !changed.some((c) => c.id === r.id));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r) => 'reminderChannel' in r && r.reminderChannel === null)).toBe(true);
    // Stopped, as the launcher leaves it to EMR: the next test's batch run must not find it applying its entity.
    await stopLocalRun(successor!.jobRunId);
  });

  it('a new optional field in the schema and in the data becomes a new column after the next run, older rows null; the launcher invoked twice meanwhile starts one run', async () => {
    const evolved = await evolveSchema('customer', 'loyaltyTier');
    const live = await publishEvolved(evolved, 'customer', { loyaltyTier: 'gold' });
    await rawCaughtUp();
    // Invoked twice while the run is in progress: the second invocation finds it and starts none.
    const event = { mode: 'batch', entities: ['customer'] };
    const a = (await rt.fire('jobLauncher', event)) as { runs: LaunchedRun[] };
    const b = (await rt.fire('jobLauncher', event)) as { runs: LaunchedRun[] };
    expect(a.runs[0]!.started).toBe(true);
    expect(b.runs[0]).toMatchObject({ started: false, jobRunId: a.runs[0]!.jobRunId, state: 'RUNNING' });
    await waitFor(
      'the batch run',
      () => (readRun(a.runs[0]!.jobRunId)?.state === 'SUCCESS' ? true : undefined),
      300_000,
    );
    const rows = (await dumpTables()).rows.get('customer')!;
    const tiers = new Map(rows.map((r) => [String(r.id), r.loyaltyTier]));
    expect(live.map((r) => tiers.get(r.id))).toEqual(['gold', 'gold', 'gold']);
    expect(
      rows.filter((r) => !live.some((l) => l.id === r.id)).every((r) => 'loyaltyTier' in r && r.loyaltyTier === null),
    ).toBe(true);
  });
});

/** Registers a newer schema of the entity with one more optional string field; the registry, to encode with it. */
async function evolveSchema(entity: string, field: string): Promise<GlueSchemaRegistry> {
  const glue = new GlueClient(localClientConfig());
  glueClients.push(glue);
  const registry = new GlueSchemaRegistry(glue, p.registry);
  const definition = evolve(schemaFile(entity), (schema) =>
    dataFields(schema).push({ name: field, type: ['null', 'string'], default: null }),
  );
  expect(
    (await registerSchema(registry, { schemaName: p.topic(entity), definition, compatibility: 'BACKWARD' })).action,
  ).toBe('registered');
  return registry;
}

/**
 * Three newer changes of the entity's first live records from a source that now sends the new
 * fields, published as the poller would (the latest schema); the records changed.
 */
async function publishEvolved(registry: GlueSchemaRegistry, entity: string, fields: Row): Promise<SourceRecord[]> {
  const serde = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 0, maxEntries: 10 }));
  const live = (
    sim.simulator.state([entity as never]).entities[entity as never]! as { records: SourceRecord[] }
  ).records
    .filter((r) => r.op === 'UPSERT')
    .slice(0, 3);
  const producer = localKafka(`it-evolve-${entity}`).producer();
  await producer.connect();
  for (const [i, record] of live.entries()) {
    const change = {
      eventId: `${entity}${i}`.padEnd(32, 'f'),
      op: 'UPSERT',
      id: record.id,
      updatedAt: new Date(Date.parse(record.updatedAt) + 60_000).toISOString(),
      data: { ...(record.data as Row), ...fields },
    };
    const { bytes } = await serde.encode(p.topic(entity), change);
    await producer.send({ topic: p.topic(entity), messages: [{ key: record.id, value: bytes }] });
  }
  await producer.disconnect();
  return live;
}

/** Every message on the entity topics. */
async function messageCount(): Promise<number> {
  let n = 0;
  for (const entity of p.entities) n += (await consumeTopic(p.topic(entity), p.registry)).messages.length;
  return n;
}

/** Waits until a running stream has brought the Delta tables to the source's state. */
async function tablesCatchUp(): Promise<void> {
  let last: unknown;
  await waitFor(
    'the stream to bring the Delta tables to the source state',
    async () => {
      try {
        expectTablesEqualSource((await dumpTables()).rows);
        return true;
      } catch (error) {
        last = error;
        return undefined;
      }
    },
    240_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last difference: ${String(last)}`);
  });
}

/** A stream run's micro-batch lines (glue-jobs/src/cdc_jobs/streaming.py). */
function streamBatches(jobRunId: string): { batch_id: number; changes: number; freshness_seconds: number[] }[] {
  return readFileSync(readRun(jobRunId)!.log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"cdc_stream_batch"'))
    .map((l) => JSON.parse(l).cdc_stream_batch);
}

/** The first n messages of a topic as raw bytes (key, value, headers), to send again. */
async function rawMessages(
  topic: string,
  n: number,
): Promise<{ key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }[]> {
  const kafka = localKafka('it-raw');
  const consumer = kafka.consumer({ groupId: `it-raw-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: { key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          if (out.length < n)
            out.push({ key: message.key, value: message.value, headers: message.headers as Record<string, Buffer> });
          if (out.length >= n) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}
