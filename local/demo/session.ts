/**
 * The whole pipeline of stage local, driven and observed from outside as an operator would:
 * the functions on their triggers through the local runtime, changes fed to the source, and the
 * checks that judge a run (checkpoints caught up, fallback table drained, Delta tables equal to
 * the source). The demo and the chaos suite are both built from these.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type CheckpointStore, openCheckpointStore, type OpenedCheckpointStore } from '../../lib/checkpoint';
import { DynamoDbPartitionMarks } from '../../lib/consumer';
import type { LaunchedRun, SupervisedStream } from '../../lib/jobs';
import { stageFromConfig } from '../../ops/stage/ops-stage';
import { localClientConfig, localEndpoint } from '../../stage/local-aws';
import { readRun } from '../../stage/emr-runs';
import { type Clock, type FunctionDefinition, functionDefinitions, type Runtime, startRuntime } from '../runtime';
import { abortableSleep } from '../runtime/sleep';
import { entityNames, loadResolvedConfig, type ResolvedConfig, stageParam } from '../../stage/resolved-config';
import { countLogLine, emptyCounters, type PipelineCounters } from './counters';
import { dumpDeltaTables } from './delta';
import type { SourceAppearances } from './freshness';
import {
  archivedChanges,
  fallbackItems,
  type ParkedChange,
  postJson,
  sourceState,
  type SourceEntityState,
} from './observe';
import { changeKey, type EntityVerdict, reconcileEntity } from './reconcile';

/** EventBridge's one-minute schedules fire every 5 s: the clock of the schedules runs 12× real time. */
export const SPEEDUP = 12;

/**
 * The demo polls with a lookback window (late commits): each run reads the last 10 minutes of
 * source time again and skips what it handed off there (CDC_POLL_LOOKBACK_SECONDS).
 */
export const DEMO_LOOKBACK_SECONDS = 600;

/** The retry function's settings for a short run: short backoff, and invalid events given up after a few re-checks. */
export const SHORT_RUN_RETRY_ENV: Readonly<Record<string, string>> = {
  CDC_RETRY_BACKOFF_BASE_SECONDS: '1',
  CDC_RETRY_BACKOFF_CAP_SECONDS: '4',
  // Sweeps here take seconds: the items of an invocation killed on purpose (chaos) wait 30 s, not the 5 min of the function's timeout.
  CDC_RETRY_CLAIM_SECONDS: '30',
  CDC_RETRY_STALE: JSON.stringify({
    default: { maxAgeSeconds: 259_200, maxAttempts: 50 },
    SCHEMA_VALIDATION: { maxAgeSeconds: 259_200, maxAttempts: 3 },
    MALFORMED_EVENT: { maxAgeSeconds: 259_200, maxAttempts: 2 },
  }),
};

export interface PipelineSession {
  readonly config: ResolvedConfig;
  readonly entities: string[];
  readonly sourceUrl: string;
  readonly topics: string[];
  readonly counters: PipelineCounters;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** The poller's own store (CDC_CHECKPOINT_STORE: DynamoDB, or the local PostgreSQL). */
  readonly checkpoints: CheckpointStore;
  readonly checkpointStore: OpenedCheckpointStore;
  readonly secrets: SecretsManagerClient;
  /** Where every function log line goes (besides the counters). */
  readonly log: (line: string) => void;
}

export async function openSession(log: (line: string) => void): Promise<PipelineSession> {
  const config = await loadResolvedConfig('local');
  const entities = entityNames(config, 'local');
  const topicPrefix = String(stageParam(config, 'local', 'topicPrefix'));
  const dynamodb = new DynamoDBClient(localClientConfig());
  const secrets = new SecretsManagerClient(localClientConfig());
  const checkpointStore = openCheckpointStore(stageFromConfig(config, 'local').checkpointStore, { dynamodb, secrets });
  return {
    config,
    entities,
    log,
    dynamodb,
    s3: new S3Client({ ...localClientConfig(), forcePathStyle: true }),
    sqs: new SQSClient(localClientConfig()),
    sourceUrl: process.env.CDC_SOURCE_URL ?? 'http://127.0.0.1:8080',
    topics: entities.map((e) => `${topicPrefix}.${e}`),
    counters: emptyCounters(),
    checkpoints: checkpointStore.store,
    checkpointStore,
    secrets,
  };
}

export async function closeSession(session: PipelineSession): Promise<void> {
  await session.checkpointStore.close();
  session.secrets.destroy();
  session.dynamodb.destroy();
  session.s3.destroy();
  session.sqs.destroy();
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** A clock for the schedules only: minutes pass `speedup` times faster than real time. */
export function fastClock(speedup: number): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * speedup,
    sleep: (ms, signal) => abortableSleep(ms / speedup, signal),
  };
}

/**
 * The four functions on their triggers (schedules on the fast clock, MSK, the stream), with the
 * short-run retry settings and the poller's lookback window; the job launcher has no schedule (it is fired once) and runs all
 * entities in one Spark application. `adjust` may change each definition further.
 */
export function startPipelineRuntime(
  session: PipelineSession,
  adjust: (d: FunctionDefinition) => FunctionDefinition = (d) => d,
): Promise<Runtime> {
  const definitions = functionDefinitions(session.config).map((d) =>
    adjust({
      ...d,
      schedules: d.name === 'jobLauncher' ? [] : d.schedules,
      environment: {
        ...d.environment,
        ...(d.name === 'retry' ? SHORT_RUN_RETRY_ENV : {}),
        ...(d.name === 'poller' ? { CDC_POLL_LOOKBACK_SECONDS: String(DEMO_LOOKBACK_SECONDS) } : {}),
        ...(d.name === 'jobLauncher' ? { CDC_JOB_GROUPING: 'all' } : {}),
      },
    }),
  );
  return startRuntime(session.config, definitions, {
    clock: fastClock(SPEEDUP),
    log: (line) => {
      session.log(line);
      countLogLine(session.counters, line);
    },
  });
}

/** Feeds `count` changes to the source over a few seconds, in small bursts, as a live system would. */
/** Makes `count` changes at the source in bursts; `appearances` notes when each burst's changes appeared (freshness). */
export async function streamChanges(
  session: PipelineSession,
  count: number,
  generated: { n: number },
  appearances?: SourceAppearances,
): Promise<void> {
  const bursts = Math.min(20, count);
  for (let i = 0; i < bursts; i += 1) {
    const n = Math.floor((count * (i + 1)) / bursts) - Math.floor((count * i) / bursts);
    if (n > 0) {
      const answer = (await postJson(`${session.sourceUrl}/admin/generate`, { count: n })) as {
        latestUpdatedAt: string;
      };
      appearances?.note(answer.latestUpdatedAt, Date.now());
    }
    generated.n += n;
    await sleep(250);
  }
}

/** The source clock's latest time now (the newest change of any entity), or the epoch for an empty source. */
export async function sourceLatest(session: PipelineSession): Promise<number> {
  let latest = 0;
  for (const entity of session.entities)
    for (const r of (await sourceState(session.sourceUrl, entity)).records)
      latest = Math.max(latest, Date.parse(r.updatedAt));
  return latest;
}

/** Starts the supervised stream through the job launcher (`{"mode": "continuous"}`: one check, as its schedule does). */
export async function startStream(runtime: Runtime): Promise<SupervisedStream> {
  const { streams } = (await runtime.fire('jobLauncher', { mode: 'continuous' })) as { streams: SupervisedStream[] };
  if (streams.length !== 1)
    throw new Error(`the job launcher answered ${streams.length} streams, expected one for all entities`);
  return streams[0]!;
}

/** Reconciles the lake until the stream has brought every table to the source's state, or the time is up (the last reading). */
export async function lakeCaughtUp(session: PipelineSession, timeoutMs: number): Promise<LakeReconciliation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lake = await reconcileLake(session);
    if (lake.verdicts.every((v) => v.problemCount === 0) || Date.now() > deadline) return lake;
    await sleep(5000);
  }
}

/** True when every entity's checkpoint has reached the source's latest change. */
export async function pollersCaughtUp(session: PipelineSession): Promise<boolean> {
  for (const entity of session.entities) {
    const { records } = await sourceState(session.sourceUrl, entity);
    const latest = records.reduce((max, r) => (r.updatedAt > max ? r.updatedAt : max), '');
    const checkpoint = await session.checkpoints.load(entity);
    if (latest !== '' && (checkpoint === undefined || checkpoint.position.updatedAt < latest)) return false;
  }
  return true;
}

/**
 * True when the raw bucket holds every record Kafka had at `ends` (per topic, per partition: the
 * end offsets read once the fallback table drained): each partition's consumer mark has reached
 * its last offset. The marks, not the consumer's summaries: a consumer that wrote its object and
 * moved its mark, then failed (an AWS answer lost, say), logs no summary, and its re-delivery
 * finds those records below the mark and writes none; counting rows would wait for them forever.
 */
export async function rawCaughtUp(
  session: PipelineSession,
  ends: ReadonlyMap<string, ReadonlyMap<number, number>>,
): Promise<boolean> {
  const marks = new DynamoDbPartitionMarks(session.dynamodb, session.config.custom.names.rawOffsetsTable);
  for (const [topic, partitions] of ends)
    for (const [partition, end] of partitions) {
      if (end === 0) continue;
      const mark = await marks.get(topic, partition);
      if (mark === undefined || mark.offset < end - 1) return false;
    }
  return true;
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`gave up after ${Math.round(timeoutMs / 1000)} s waiting until ${what}`);
    await sleep(everyMs);
  }
}

/**
 * The fallback items of the pipeline's own entities (projected scan, every few seconds only: moto
 * serialises what it scans). Items of other entities (a test's scratch entity) are not ours.
 */
export async function parkedOf(session: PipelineSession): Promise<ParkedChange[]> {
  return (await fallbackItems(session.dynamodb, session.config.custom.names.fallbackTable)).filter((i) =>
    session.entities.includes(i.entity),
  );
}

export interface JobOutcome {
  readonly run: LaunchedRun;
  readonly state: string;
  readonly summaries: Record<string, unknown>[];
}

/** Launches the batch job through the job launcher and waits for the real (spark-submit) run. */
export async function runBatchJob(session: PipelineSession, runtime: Runtime): Promise<JobOutcome> {
  const { runs } = (await runtime.fire('jobLauncher', { mode: 'batch' })) as { runs: LaunchedRun[] };
  const run = runs[0];
  if (!run) throw new Error('the job launcher started no run');
  for (;;) {
    const local = readRun(run.jobRunId);
    if (local && local.state !== 'RUNNING') {
      const log = readFileSync(local.log, 'utf8');
      const summaries = log
        .split('\n')
        .filter((l) => l.startsWith('{"cdc_job_summary"'))
        .map((l) => (JSON.parse(l) as { cdc_job_summary: Record<string, unknown> }).cdc_job_summary);
      session.log(`job run ${run.jobRunId}: ${local.state}; log ${local.log}`);
      return { run, state: local.state, summaries };
    }
    await sleep(1000);
  }
}

export interface LakeReconciliation {
  readonly verdicts: EntityVerdict[];
  readonly versions: ReadonlyMap<string, number>;
  readonly source: Record<string, SourceEntityState>;
}

/** The Delta tables read back and compared with the source; invalid latest changes must be parked or archived. */
export async function reconcileLake(session: PipelineSession): Promise<LakeReconciliation> {
  const names = session.config.custom.names;
  const tables = await dumpDeltaTables(
    session.entities.map((e) => `s3://${names.lakeBucket}/delta/${e}`),
    localEndpoint(),
  );
  const accounted = new Set(
    [...(await parkedOf(session)), ...(await archivedChanges(session.s3, names.rawBucket))].map((c) =>
      changeKey(c.id, c.updatedAt),
    ),
  );
  const verdicts: EntityVerdict[] = [];
  const source: Record<string, SourceEntityState> = {};
  for (const entity of session.entities) {
    source[entity] = await sourceState(session.sourceUrl, entity);
    verdicts.push(reconcileEntity(entity, source[entity].records, tables.rows.get(entity) ?? [], accounted));
  }
  return { verdicts, versions: tables.versions, source };
}
