/**
 * `npm run demo`: the whole pipeline on this machine, unattended, through a Kafka outage.
 *
 *  1. brings the local stack up (installing it on first use);
 *  2. runs the four functions through the local runtime on their real triggers: the poller and
 *     retry schedules (on a clock running faster than real time), the consumer's MSK triggers
 *     and the retry function's DynamoDB stream;
 *  3. streams changes into the source simulator (three entities, updates, deletes, timestamp
 *     ties, a few schema-breaking and malformed records), stops Kafka while more arrive, and
 *     brings it back, so the fallback table and the retry function visibly do their work;
 *  4. runs the Spark batch job through the job launcher, or with `--lake streaming` keeps the
 *     supervised Spark stream running from the start (the launcher starts it) and reports each
 *     change's freshness, source to Delta, p50 and p95;
 *  5. reports every stage's counts and reconciles the Delta tables with the source's state.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandLineOf, readFlags } from '../../cli/command-line';
import { collectStatus, formatStatus, resolveStage } from '../../ops';
import type { PipelineStatus } from '../../ops/status/pipeline-status';
import { alarmsInSight, metricTotals } from './metrics-seen';
import { type BackfillOutcome, runBackfill } from '../../ops/replay/backfill';
import { formatBackfillOutcome } from '../../ops/replay/format-replay';
import { alertObserverQueueName } from '../provision/sns';
import type { Runtime } from '../runtime';
import type { SupervisedStream } from '../../lib/jobs';
import { stopLocalRun } from '../emr/local-runner';
import { stageParam } from '../../stage/resolved-config';
import { alive, readRun } from '../../stage/emr-runs';
import { type Freshness, freshnessOf, SourceAppearances, streamBatchesOf } from './freshness';
import { stackUp, startService, stopService } from '../stack';
import { LOG_DIR, STACK_DIR } from '../stack/paths';
import { totalParked } from './counters';
import {
  archivedChanges,
  partitionEndOffsets,
  rawContents,
  setSourceFaults,
  sourceState,
  takeAlerts,
  topicEndOffsets,
  totalsOf,
} from './observe';
import { Progress } from './progress';
import { printReport, table } from './report';
import {
  closeSession,
  type JobOutcome,
  lakeCaughtUp,
  type LakeReconciliation,
  openSession,
  parkedOf,
  type PipelineSession,
  pollersCaughtUp,
  rawCaughtUp,
  reconcileLake,
  runBatchJob,
  sleep,
  sourceLatest,
  SPEEDUP,
  startPipelineRuntime,
  startStream,
  streamChanges,
  waitUntil,
} from './session';

const DEFAULT_EVENTS = 10_000;
const DEMO_OPTIONS = `the options are --events N (default ${DEFAULT_EVENTS}), --outage-seconds S (default 20) and --lake batch|streaming (default batch)`;
export const DEMO_USAGE = `usage: npm run demo [-- --events N] [--outage-seconds S] [--lake batch|streaming]; ${DEMO_OPTIONS}`;

export interface DemoOptions {
  readonly events: number;
  /** How long Kafka stays down, at least (it stays down until the pollers have read what arrived meanwhile). */
  readonly outageSeconds: number;
  /** `batch`: one Spark batch run at the end. `streaming`: the supervised stream keeps Delta current all along, and its freshness is reported. */
  readonly lake: 'batch' | 'streaming';
}

const RANGES = { events: [10, 200_000], 'outage-seconds': [0, 600] } as const;
type DemoFlag = keyof typeof RANGES;

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const flags = readFlags(
    argv,
    { events: 'string', 'outage-seconds': 'string', lake: 'string' },
    {
      unknown: (flag) => `unknown option ${flag}; ${DEMO_OPTIONS}`,
      missing: (flag) =>
        flag === '--lake' ? lakeProblem(undefined) : outOfRange(flag.slice(2) as DemoFlag, undefined),
    },
  );
  const lake = flags.lake ?? 'batch';
  if (lake !== 'batch' && lake !== 'streaming') throw new Error(lakeProblem(lake));
  return {
    events: wholeNumber('events', flags.events, DEFAULT_EVENTS),
    outageSeconds: wholeNumber('outage-seconds', flags['outage-seconds'], 20),
    lake,
  };
}

function wholeNumber(flag: DemoFlag, value: string | undefined, byDefault: number): number {
  if (value === undefined) return byDefault;
  const n = Number(value);
  const [min, max] = RANGES[flag];
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(outOfRange(flag, value));
  return n;
}

const lakeProblem = (value: string | undefined): string => `--lake takes batch or streaming, got ${value}`;

const outOfRange = (flag: DemoFlag, value: string | undefined): string =>
  `--${flag} takes a whole number from ${RANGES[flag][0]} to ${RANGES[flag][1]}, got ${value}`;

/** The demo's session: the pipeline plus the screen. */
interface Demo extends PipelineSession {
  readonly progress: Progress;
}

function liveLine(demo: Demo, generated: { n: number }, parkedNow: { n: number }): () => string {
  const c = demo.counters;
  return () =>
    `source ${generated.n} · polled ${c.polled} · published ${c.published} · parked ${totalParked(c)} (in table now ${parkedNow.n}) · retried ${c.retried} · archived ${c.archived} · raw rows ${c.rawRows}`;
}

async function main(): Promise<void> {
  const options = commandLineOf(DEMO_USAGE, parseDemoArgs);
  const progress = new Progress(`${LOG_DIR}/demo.log`);
  progress.say(
    `cdc-pipeline demo: ${options.events} changes, a Kafka outage, ${options.lake === 'batch' ? 'the Spark batch job' : 'the supervised Spark stream'} (log: ${progress.logPath})`,
  );
  progress.step('Starting the local stack (Kafka, moto, the source simulator); the first run installs them');
  await stackUp({ log: progress.log });

  const demo: Demo = { ...(await openSession(progress.log)), progress };
  const { config, entities, s3, sqs } = demo;
  const names = config.custom.names;
  const alertQueue = alertObserverQueueName(names.alertTopic);
  const started = new Date();
  const generated = { n: 0 };
  const parkedNow = { n: 0 };
  let runtime: Runtime | undefined;
  let stream: SupervisedStream | undefined;
  let restoreFaults: (() => Promise<void>) | undefined;
  let exitCode = 0;
  try {
    await takeAlerts(sqs, alertQueue);
    const offsetsBefore = await topicEndOffsets(demo.topics);
    // From no faults at all (preset none): a fault someone left set (429s, slow pages) is not part of the demo.
    // Put back afterwards: malformed records left on would reach whoever reads the source next.
    restoreFaults = await setSourceFaults(demo.sourceUrl, {
      preset: 'none',
      tieRate: 0.3,
      schemaBreakRate: 0.004,
      malformedRate: 0.03,
    });
    const trackParked = setInterval(
      () =>
        void parkedOf(demo).then(
          (items) => (parkedNow.n = items.length),
          () => undefined,
        ),
      5000,
    );
    trackParked.unref();
    runtime = await startPipelineRuntime(demo);
    const live = liveLine(demo, generated, parkedNow);
    // With --lake streaming, the stream runs from the start and each change's appearance is noted (freshness).
    const appearances = options.lake === 'streaming' ? new SourceAppearances(await sourceLatest(demo)) : undefined;
    if (options.lake === 'streaming') {
      stream = await startStream(runtime);
      // Freshness is the pipeline's, not the JVM's start: changes begin once every query runs.
      const started = stream;
      await waitUntil(
        'the Spark stream started a query per entity',
        async () => streamQueriesStarted(started) >= entities.length,
        300_000,
        2000,
      );
      progress.say(
        `  the job launcher started the Spark stream ${stream.name} (run ${stream.jobRunId}; a micro-batch every ${String(stageParam(demo.config, 'local', 'streamTriggerSeconds'))} s)`,
      );
    }

    const [first, second] = [Math.round(options.events * 0.55), Math.round(options.events * 0.1)];
    progress.step(
      `Streaming ${first} changes; poller and retry schedules every ${60 / SPEEDUP} s, consumer on its MSK triggers`,
      live,
    );
    await streamChanges(demo, first, generated, appearances);
    await waitUntil('the pollers read every change', () => pollersCaughtUp(demo), 300_000);

    progress.step(`Kafka DOWN: stopping the broker; ${second} more changes arrive meanwhile`, live);
    await stopService('kafka', progress.log);
    const outageStarted = Date.now();
    await streamChanges(demo, second, generated, appearances);
    await waitUntil('the pollers parked every change that arrived', () => pollersCaughtUp(demo), 300_000);
    await sleep(Math.max(0, options.outageSeconds * 1000 - (Date.now() - outageStarted)));
    progress.say(`  fallback table while Kafka is down: ${describeParked(await parkedOf(demo))}`);
    const outage = await showStatus(demo, 'while Kafka is down');
    // The simulator's clock starts at 2026-01-01 (the same data for a seed), so its source times,
    // and with them every checkpoint, are far behind now: the lag alarm says nothing about the outage.
    const inSight = alarmsInSight(outage.status, outage.backlogBound, /checkpoint lag/);
    progress.say(
      `  alarms while Kafka is down (checkpoint lag left out: the simulator's clock starts at 2026-01-01):${inSight.length === 0 ? ' none in sight' : ''}`,
    );
    for (const line of inSight) progress.say(`    ${line}`);

    const third = options.events - first - second;
    progress.step(
      `Kafka UP again after ${Math.round((Date.now() - outageStarted) / 1000)} s; the retry function drains the fallback table; ${third} more changes`,
      live,
    );
    await startService('kafka', progress.log);
    await streamChanges(demo, third, generated, appearances);
    await waitUntil('the pollers read every change', () => pollersCaughtUp(demo), 300_000);
    // An operator's bounded backfill of the first burst, beside the live polling and the retry
    // function's draining (after Kafka is back: a backfill meeting Kafka down parks, as any poll).
    progress.say(`  ${formatBackfillOutcome(await backfillFirstBurst(demo, runtime))}`);
    const drained = (): Promise<void> =>
      waitUntil(
        `the fallback table holds nothing of ${entities.join(', ')} (re-sent, or given up and archived)`,
        async () => (await parkedOf(demo)).length === 0,
        600_000,
        3000,
      );
    await drained();
    const endsAfter = await partitionEndOffsets(demo.topics);
    const offsetsAfter = totalsOf(endsAfter);
    const written = demo.topics.reduce((n, t) => n + (offsetsAfter.get(t)! - offsetsBefore.get(t)!), 0);
    await waitUntil(
      `the consumer wrote all ${written} new Kafka messages to the raw bucket (every partition's raw mark at its end offset)`,
      () => rawCaughtUp(demo, endsAfter),
      300_000,
    );
    // A poll meanwhile may have parked a change that came last (a malformed entry, say): it drains too.
    await drained();
    clearInterval(trackParked);
    progress.say(`  fallback table after the retry function: ${describeParked(await parkedOf(demo))}`);
    await showStatus(demo, 'after the retry function drained the fallback table');

    let job: JobOutcome;
    let lake: LakeReconciliation;
    let freshness: Freshness | undefined;
    if (stream === undefined) {
      progress.step(
        'Spark batch job through the job launcher (EMR Serverless API on moto, spark-submit locally)',
        () => 'spark-submit running (its log: .stack/emr-runs/<run id>/)',
      );
      job = await runBatchJob(demo, runtime);
      await runtime.stop();
      runtime = undefined;
      progress.say(`  job run ${job.run.jobRunId}: ${job.state}`);
      progress.step('Reconciling: the Delta tables against the source state');
      lake = await reconcileLake(demo);
    } else {
      progress.step('Reconciling: the Spark stream brings the Delta tables to the source state (no batch run)');
      lake = await lakeCaughtUp(demo, 300_000);
      await runtime.stop();
      runtime = undefined;
      job = streamOutcome(stream);
      freshness = freshnessOf(streamBatchesOf(readFileSync(readRun(stream.jobRunId)!.log, 'utf8')), appearances!);
      await stopLocalRun(stream.jobRunId);
      progress.say(`  stream run ${stream.jobRunId}: ${job.state} until the demo stopped it`);
    }
    const { verdicts } = lake;
    const archivedThisRun = await archivedChanges(s3, names.rawBucket, started);
    const source: Record<string, { changes: number; records: number; malformed: number }> = {};
    const raw: Record<string, { objects: number; rows: number; eventIds: number }> = {};
    for (const entity of entities) {
      const state = lake.source[entity]!;
      source[entity] = {
        changes: state.counts.total ?? 0,
        records: state.records.length,
        malformed: state.malformedServed.length,
      };
      raw[entity] = await rawContents(s3, names.rawBucket, entity);
    }
    const alerts = await takeAlerts(sqs, alertQueue);
    // The batch run ended SUCCESS, or the stream was still running when the tables matched.
    const reconciled =
      job.state === (stream === undefined ? 'SUCCESS' : 'RUNNING') && verdicts.every((v) => v.problemCount === 0);
    printReport(progress, {
      events: options.events,
      entities,
      source,
      raw,
      counters: demo.counters,
      topics: demo.topics,
      kafka: new Map(demo.topics.map((t) => [t, offsetsAfter.get(t)! - offsetsBefore.get(t)!])),
      archivedThisRun,
      alerts: alerts.length,
      job,
      verdicts,
      tablesVersions: lake.versions,
      elapsed: progress.elapsed(),
      ...(stream === undefined ? {} : { freshness: freshness ?? null }),
    });
    writeDemoReport({
      options,
      reconciled,
      elapsed: progress.elapsed(),
      ...(stream === undefined
        ? {}
        : { freshness: freshness ?? null, triggerSeconds: triggerSecondsOf(stream.jobRunId) }),
    });
    const totals = metricTotals(started);
    progress.say(
      `\nmetrics the functions wrote this run (EMF, namespace CdcPipeline; locally in .stack/metrics/emf.jsonl):\n${table([['metric', 'total'], ...totals])}`,
    );
    progress.say(
      reconciled
        ? '\nreconciled: every Delta table equals the source state; every change not in them is parked or archived with its reason. Nothing lost.'
        : `\nNOT reconciled: ${verdicts.reduce((n, v) => n + v.problemCount, 0)} difference(s)${job.state === 'SUCCESS' ? '' : `, and the Spark job ended ${job.state}`}; details above and in ${progress.logPath}`,
    );
    progress.say(
      'The stack is still running: `npm run status -- --stage local`, `npm run local:run` to keep the pipeline going, `npm run stack:down` to stop it.',
    );
    if (!reconciled) exitCode = 1;
  } finally {
    await runtime?.stop();
    // The demo's stream is stopped with the demo (`npm run local:run` keeps one going).
    if (stream !== undefined) await stopLocalRun(stream.jobRunId).catch(() => undefined);
    await startService('kafka', progress.log).catch(() => undefined);
    await restoreFaults?.().catch((error: Error) =>
      progress.log(`could not restore the source's faults: ${error.message}`),
    );
    await closeSession(demo);
    await progress.finish();
  }
  process.exitCode = exitCode;
}

/** Where each demo run leaves its outcome as JSON (npm run bench reads the freshness from it). */
export const DEMO_REPORT = path.join(STACK_DIR, 'reports', 'demo.json');

export interface DemoReport {
  readonly options: DemoOptions;
  readonly reconciled: boolean;
  readonly elapsed: string;
  /** With --lake streaming: freshness over the run's changes (null: none measured), at the stream's trigger interval. */
  readonly freshness?: Freshness | null;
  readonly triggerSeconds?: number;
}

function writeDemoReport(report: DemoReport): void {
  mkdirSync(path.dirname(DEMO_REPORT), { recursive: true });
  writeFileSync(DEMO_REPORT, `${JSON.stringify({ finishedAt: new Date().toISOString(), ...report }, null, 2)}\n`);
}

/** The stream run's micro-batch interval, from its command line (`--trigger-seconds N`). */
function triggerSecondsOf(jobRunId: string): number | undefined {
  const command = readRun(jobRunId)?.command ?? [];
  const at = command.indexOf('--trigger-seconds');
  return at < 0 ? undefined : Number(command[at + 1]);
}

/** How many entities' queries the stream run has started (its cdc_job_summary lines); 0 before its log exists. */
function streamQueriesStarted(stream: SupervisedStream): number {
  const run = readRun(stream.jobRunId);
  if (run === undefined || !existsSync(run.log)) return 0;
  if (!alive(run)) throw new Error(`the Spark stream ${stream.jobRunId} ended before it started: see ${run.log}`);
  return readFileSync(run.log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"cdc_job_summary"')).length;
}

/** The stream as the report shows a job run: its state now (RUNNING while its process lives). */
function streamOutcome(stream: SupervisedStream): JobOutcome {
  const run = readRun(stream.jobRunId);
  const state = run !== undefined && alive(run) ? 'RUNNING' : 'FAILED';
  return { run: { ...stream, state }, state, summaries: [] };
}

/** What `npm run status -- --stage local` prints at this moment. */
async function showStatus(demo: Demo, when: string): Promise<{ status: PipelineStatus; backlogBound: number }> {
  const stage = await resolveStage('local', { config: demo.config });
  const status = await collectStatus(stage);
  const text = formatStatus(status);
  demo.progress.say(
    `  npm run status -- --stage local, ${when}:\n${text
      .split('\n')
      .map((l) => `    │ ${l}`)
      .join('\n')}`,
  );
  return { status, backlogBound: stage.health.backlogAgeSeconds };
}

function describeParked(items: readonly { status: string; reason: string }[]): string {
  if (items.length === 0) return 'empty';
  const counts = new Map<string, number>();
  for (const i of items) counts.set(`${i.status}/${i.reason}`, (counts.get(`${i.status}/${i.reason}`) ?? 0) + 1);
  return `${items.length} item(s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`the full log is in ${LOG_DIR}/demo.log`);
    process.exit(1);
  });
}

/**
 * `npm run replay -- --from T --to T2` as the demo runs it: through the running poller (its
 * schedule keeps firing), over the older half of one entity's changes as the source has them now.
 */
async function backfillFirstBurst(demo: Demo, runtime: Runtime): Promise<BackfillOutcome> {
  const entity = demo.entities[0]!;
  const times = (await sourceState(demo.sourceUrl, entity)).records.map((r) => r.updatedAt).sort();
  const window = { from: times[0]!, to: times[Math.floor(times.length / 2)]! };
  demo.progress.log(`backfill of ${entity}: ${window.from} <= updatedAt < ${window.to}`);
  return runBackfill(
    { invoke: (event) => runtime.fire('poller', event) },
    { entity, window },
    { onSlice: (slice, n) => demo.progress.log(`backfill slice ${n}: ${JSON.stringify(slice)}`) },
  );
}
