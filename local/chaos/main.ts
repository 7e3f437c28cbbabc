/**
 * `npm run test:chaos [-- --seeds 1,2,3,4,5 | --seed N] [--events N]`: the whole pipeline through
 * the local runtime under seeded, randomized faults (Kafka killed and restarted, Kafka frozen past
 * the producers' request timeout, the AWS APIs answering 503, moto "restarting" (answers lost,
 * then connections reset), function processes killed mid-invocation, overlapping poller runs, a
 * source that rate-limits, fails, slows down, hangs past the poller's timeout and serves dirty
 * records), then a reconciliation:
 * - every eventId on each topic once after de-duplication, at most twice before it;
 * - per key, the topic never goes back in time;
 * - every source record's latest change is on Kafka, or parked, or archived with its reason;
 * - the Delta tables equal the source state.
 * Each seed starts a fresh stack, so its data and fault schedule replay with `--seed N`.
 */
import { localEndpoint } from '../../stage/local-aws';
import { consumeTopic } from '../demo/pipeline';
import { changeKey } from '../demo/reconcile';
import {
  archivedChanges,
  listKeys,
  partitionEndOffsets,
  postJson,
  rawRows,
  setSourceFaults,
  sourceState,
  totalsOf,
} from '../demo/observe';
import { Progress } from '../demo/progress';
import { table } from '../demo/report';
// The demo's session, as the demo opens it.
import type { LakeReconciliation, PipelineSession } from '../demo/session';
import { closeSession, openSession, parkedOf, pollersCaughtUp, rawCaughtUp, reconcileLake } from '../demo/session';
import { runBatchJob, sleep, startPipelineRuntime, streamChanges, waitUntil } from '../demo/session';
import { type FaultProxy, faultProxy, type ProxyFault } from '../fault-proxy';
import { type FunctionDefinition, FunctionHost, type Runtime } from '../runtime';
import { commandLineOf, readFlags } from '../../cli/command-line';
import { stackDown, stackUp, startService } from '../stack';
import { LOG_DIR } from '../stack/paths';
import { runningProcess } from '../stack/processes';
import {
  CHAOS_POLLER_TIMEOUT_SECONDS,
  CHAOS_SOURCE_TIMEOUT_MS,
  checkpointStoreOf,
  type KafkaAuthMode,
  kafkaAuthOf,
  type PlannedFault,
  planFaults,
  seededRandom,
  sourceFaults,
} from './faults';
import { checkRaw, type RawCheck } from './raw-check';
import { checkTopic } from './topic-check';

const BURSTS = 8;

export interface ChaosOptions {
  readonly seeds: number[];
  readonly events: number;
  /**
   * The reduced run `npm test` includes: on the running stack (no fresh stack, so the source's
   * data does not follow the seed), without the Spark job; the topic and accounting checks stay.
   */
  readonly quick: boolean;
  /** Every seed's checkpoint store; by default seeds that are multiples of 5 use PostgreSQL (see checkpointStoreOf). */
  readonly store?: 'dynamodb' | 'postgres';
  /** Every seed's Kafka listener; by default seed 4 goes through SCRAM-SHA-512 over TLS (see kafkaAuthOf). */
  readonly kafkaAuth?: KafkaAuthMode;
  /** The functions' Kafka client behind the publisher port (CDC_LOCAL_KAFKA_CLIENT); kafkajs by default, as deployed. */
  readonly kafkaClient?: KafkaClientName;
}

export type KafkaClientName = 'kafkajs' | 'platformatic';

const CHAOS_OPTIONS =
  'the options are --seeds a,b,c (or --seed N), --events N, --store dynamodb|postgres, --kafka-auth none|scram-sha-512, --kafka-client kafkajs|platformatic and --quick';
export const CHAOS_USAGE = `usage: npm run test:chaos [-- --seeds 1,2,3,4,5 | --seed N] [--events N] [--store dynamodb|postgres] [--kafka-auth none|scram-sha-512] [--kafka-client kafkajs|platformatic] [--quick]; ${CHAOS_OPTIONS}`;

export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const flags = readFlags(
    argv,
    {
      seed: 'string',
      seeds: 'string',
      events: 'string',
      store: 'string',
      'kafka-auth': 'string',
      'kafka-client': 'string',
      quick: 'boolean',
    },
    {
      unknown: (flag) => `unknown option ${flag}; ${CHAOS_OPTIONS}`,
      missing: (flag) =>
        flag === '--events'
          ? eventsProblem('undefined')
          : flag === '--store'
            ? storeProblem('undefined')
            : flag === '--kafka-auth'
              ? kafkaAuthProblem('undefined')
              : flag === '--kafka-client'
                ? kafkaClientProblem('undefined')
                : seedsProblem(flag, 'undefined'),
    },
  );
  // The last of --seed and --seeds wins, as each replaces the list.
  const seedFlag =
    argv
      .filter((a) => /^--seeds?(=|$)/.test(a))
      .at(-1)
      ?.replace(/=.*/s, '') ?? '--seeds';
  const seedList = seedFlag === '--seed' ? flags.seed : flags.seeds;
  const seeds = seedList === undefined ? [1, 2, 3, 4, 5] : seedList.split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(seedsProblem(seedFlag, String(seedList)));
  const events = flags.events === undefined ? 2000 : Number(flags.events);
  if (!Number.isInteger(events) || events < 100 || events > 100_000)
    throw new Error(eventsProblem(String(flags.events)));
  const store = flags.store;
  if (store !== undefined && store !== 'dynamodb' && store !== 'postgres') throw new Error(storeProblem(store));
  const kafkaAuth = flags['kafka-auth'];
  if (kafkaAuth !== undefined && kafkaAuth !== 'none' && kafkaAuth !== 'scram-sha-512')
    throw new Error(kafkaAuthProblem(kafkaAuth));
  const kafkaClient = flags['kafka-client'];
  if (kafkaClient !== undefined && kafkaClient !== 'kafkajs' && kafkaClient !== 'platformatic')
    throw new Error(kafkaClientProblem(kafkaClient));
  return {
    seeds,
    events,
    quick: flags.quick === true,
    ...(store === undefined ? {} : { store }),
    ...(kafkaAuth === undefined ? {} : { kafkaAuth }),
    ...(kafkaClient === undefined ? {} : { kafkaClient }),
  };
}

const kafkaAuthProblem = (value: string): string => `--kafka-auth takes none or scram-sha-512, got ${value}`;
const kafkaClientProblem = (value: string): string => `--kafka-client takes kafkajs or platformatic, got ${value}`;
const storeProblem = (value: string): string => `--store takes dynamodb or postgres, got ${value}`;

const seedsProblem = (flag: string, value: string): string =>
  `${flag} takes whole numbers ≥ 0 separated by commas, got ${value}`;
const eventsProblem = (value: string): string => `--events takes a whole number from 100 to 100000, got ${value}`;

interface SeedResult {
  readonly seed: number;
  readonly faults: PlannedFault[];
  readonly injected: Record<string, number>;
  readonly problems: string[];
  readonly figures: Record<string, number>;
}

/** The fault the proxy in front of moto applies now, and the proxy (for what it counted). */
type AwsFaults = { fault?: ProxyFault; readonly proxy: FaultProxy };

/** The source's fault counters (cumulative over the simulator's life, so a quick run takes differences). */
async function sourceFaultCounts(sourceUrl: string, entity: string): Promise<{ hang: number }> {
  // One entity's state: the counters come with any, and the records of one are enough to carry.
  const response = await fetch(`${sourceUrl}/admin/state?entity=${encodeURIComponent(entity)}`);
  if (!response.ok) throw new Error(`GET ${sourceUrl}/admin/state answered ${response.status}`);
  return ((await response.json()) as { counters: { faultsInjected: { hang: number } } }).counters.faultsInjected;
}

/**
 * The killed server's backends exit once they notice their postmaster is gone; until then the
 * new server may refuse to start on their shared memory, so the start is tried again for a while.
 */
async function restartPostgres(session: PipelineSession): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await startService('postgres', session.log);
      return;
    } catch (error) {
      if (attempt >= 10) throw error;
      session.log(`chaos: PostgreSQL did not start yet (${(error as Error).message.split('\n')[0]}); again in 1 s`);
      await sleep(1000);
    }
  }
}

/** SIGSTOP the broker for this long, then SIGCONT: requests sent meanwhile time out, then are handled. */
async function freezeKafka(seconds: number, session: PipelineSession): Promise<boolean> {
  const kafka = runningProcess('kafka');
  if (!kafka) return false;
  session.log(`chaos: Kafka (pid ${kafka.pid}) frozen for ${seconds} s`);
  process.kill(kafka.pid, 'SIGSTOP');
  try {
    await sleep(seconds * 1000);
  } finally {
    process.kill(kafka.pid, 'SIGCONT');
  }
  return true;
}

/**
 * Injects one planned fault; returns whether it took effect (a handler kill needs an invocation
 * in flight). A part of it that took effect on its own (a restart's stall) goes in `noted`.
 */
async function inject(
  fault: PlannedFault,
  runtime: Runtime,
  aws: AwsFaults,
  extraPoller: FunctionHost,
  session: PipelineSession,
  noted: string[],
): Promise<boolean> {
  switch (fault.kind) {
    case 'kafka-killed': {
      const kafka = runningProcess('kafka');
      if (!kafka) return false;
      process.kill(kafka.pid, 'SIGKILL');
      await sleep(fault.seconds * 1000);
      await startService('kafka', session.log);
      if (fault.stallSeconds) {
        // Freeze it the moment the retry function re-sends the backlog (or after 30 s without one).
        const resent = session.counters.resent.length;
        for (let waited = 0; waited < 30_000 && session.counters.resent.length === resent; waited += 50)
          await sleep(50);
        if (await freezeKafka(fault.stallSeconds, session)) noted.push('kafka-stalled');
      }
      return true;
    }
    case 'kafka-paused':
      return freezeKafka(fault.seconds, session);
    case 'aws-unavailable':
      aws.fault = 'unavailable';
      await sleep(fault.seconds * 1000);
      aws.fault = undefined;
      return true;
    case 'aws-restarted': {
      session.log(
        `chaos: moto "restarts": answers lost for 1 s (or until one is), then connections reset for ${fault.seconds} s`,
      );
      aws.fault = 'answer-lost';
      // At least one call must lose its answer (or 10 s pass): a restart no call saw is no fault.
      const lost = aws.proxy.answersLost;
      for (let waited = 0; waited < 10_000 && (waited < 1000 || aws.proxy.answersLost === lost); waited += 50)
        await sleep(50);
      aws.fault = 'refused';
      await sleep(fault.seconds * 1000);
      aws.fault = undefined;
      return true;
    }
    case 'postgres-killed': {
      const postgres = runningProcess('postgres');
      if (!postgres) return false;
      session.log(`chaos: PostgreSQL (pid ${postgres.pid}) killed, restarted in ${fault.seconds} s`);
      process.kill(postgres.pid, 'SIGKILL');
      await sleep(fault.seconds * 1000);
      await restartPostgres(session);
      return true;
    }
    case 'handler-killed': {
      const host = runtime.hosts.get(fault.target);
      for (let i = 0; i < 40; i += 1) {
        if (host?.crash()) return true;
        await sleep(100);
      }
      return false;
    }
    case 'overlapping-poller':
      // Not awaited: it runs beside the scheduled runs, as a second container would.
      void extraPoller.invoke({ entity: fault.target }).catch(() => undefined);
      return true;
    default:
      return false;
  }
}

async function runSeed(
  seed: number,
  events: number,
  quick: boolean,
  store: 'dynamodb' | 'postgres',
  progress: Progress,
  kafkaAuth: KafkaAuthMode = 'none',
  kafkaClient: KafkaClientName = 'kafkajs',
): Promise<SeedResult> {
  const random = seededRandom(seed);
  progress.step(
    `${quick ? `seed ${seed}: the running stack (quick run)` : `seed ${seed}: a fresh stack`}, checkpoints in ${store}, Kafka ${kafkaAuth === 'none' ? 'plaintext' : 'SCRAM-SHA-512 over TLS'}, functions on ${kafkaClient === 'kafkajs' ? 'kafkajs' : '@platformatic/kafka'}`,
  );
  if (!quick) await stackDown(progress.log);
  await stackUp({ log: progress.log });
  // serverless.yml's stage local reads the store from the environment: the functions and the session's reconciliation alike.
  const storeBefore = process.env.CDC_CHECKPOINT_STORE;
  process.env.CDC_CHECKPOINT_STORE = store;
  // So does the Kafka listener (resources/local-kafka.js): the functions, the MSK trigger and the checks go through it.
  const kafkaAuthBefore = process.env.CDC_KAFKA_AUTH;
  process.env.CDC_KAFKA_AUTH = kafkaAuth;
  // The runtime's workers inherit it (local/runtime/worker.ts); the checks' own clients stay on kafkajs.
  const kafkaClientBefore = process.env.CDC_LOCAL_KAFKA_CLIENT;
  process.env.CDC_LOCAL_KAFKA_CLIENT = kafkaClient;
  const session = await openSession(progress.log);
  const problems: string[] = [];
  const injected: Record<string, number> = {};
  const state: { fault?: ProxyFault } = {};
  const proxy = await faultProxy(localEndpoint(), () => state.fault);
  const aws: AwsFaults = Object.assign(state, { proxy });
  let runtime: Runtime | undefined;
  let extraPoller: FunctionHost | undefined;
  let restoreFaults: (() => Promise<void>) | undefined;
  try {
    // A fresh simulator with the seed's data; a quick run keeps what the source holds (others may reconcile against it).
    if (!quick) await postJson(`${session.sourceUrl}/admin/reset`, { seed });
    // Where this run starts on each topic: a quick run's topics also hold earlier runs' messages.
    const startOffsets = await partitionEndOffsets(session.topics);
    const hangsBefore = (await sourceFaultCounts(session.sourceUrl, session.entities[0]!)).hang;
    const source = sourceFaults(random);
    // Put back afterwards: on a running stack, the tests after this one share the simulator.
    restoreFaults = await setSourceFaults(session.sourceUrl, source);
    progress.log(`seed ${seed}: source faults ${JSON.stringify(source)}`);
    // The functions reach AWS through the proxy; the runtime's own triggers (stream polling) do not.
    // The poller gives up on a source request sooner, so the source's hung requests time out, and
    // has a shorter timeout, so an entity whose poller was killed is free again (its lease
    // expired) in about a minute and a half rather than five.
    const throughProxy = (d: FunctionDefinition): FunctionDefinition => {
      const proxied = { ...d, environment: { ...d.environment, AWS_ENDPOINT_URL: proxy.url } };
      if (d.name !== 'poller') return proxied;
      return {
        ...proxied,
        timeoutSeconds: CHAOS_POLLER_TIMEOUT_SECONDS,
        environment: { ...proxied.environment, CDC_SOURCE_TIMEOUT_MS: String(CHAOS_SOURCE_TIMEOUT_MS) },
      };
    };
    runtime = await startPipelineRuntime(session, throughProxy);
    const pollerDefinition = runtime.hosts.get('poller')!.definition;
    extraPoller = new FunctionHost({ ...pollerDefinition, name: 'poller' }, session.log);
    const faults = planFaults(random, BURSTS, session.entities, { checkpointStore: store });
    const generated = { n: 0 };
    progress.step(
      `seed ${seed}: ${events} changes in ${BURSTS} bursts, a fault before each: ${faults.map((f) => `${f.kind}${f.target ? ` ${f.target}` : ''}${f.seconds ? ` ${f.seconds}s` : ''}${f.stallSeconds ? ` then stalls ${f.stallSeconds}s` : ''}`).join(', ')}`,
      () =>
        `source ${generated.n} · published ${session.counters.published} · parked ${Object.values(session.counters.parked).reduce((a, b) => a + b, 0)} · retried ${session.counters.retried} · raw rows ${session.counters.rawRows} · failed invocations ${Object.values(session.counters.errors).reduce((a, b) => a + b, 0)}`,
    );
    for (const [i, fault] of faults.entries()) {
      const burst = streamChanges(
        session,
        Math.floor((events * (i + 1)) / BURSTS) - Math.floor((events * i) / BURSTS),
        generated,
      );
      const noted: string[] = [];
      if (await inject(fault, runtime, aws, extraPoller, session, noted)) noted.unshift(fault.kind);
      for (const kind of noted) injected[kind] = (injected[kind] ?? 0) + 1;
      await burst;
    }
    aws.fault = undefined;
    await startService('kafka', session.log);

    progress.step(`seed ${seed}: faults over; waiting for the pipeline to settle`);
    // The source stops changing first: with updates-while-paging on, a poll after the topics are
    // read could add a change the check would wrongly call missing. It stops slipping junk into
    // its pages too: each poll could park a new malformed entry (AMBIGUOUS until it goes stale,
    // a minute or so), so the fallback table would empty only by chance.
    await postJson(`${session.sourceUrl}/admin/faults`, { updateWhilePagingRate: 0, malformedRate: 0 });
    await waitUntil('the pollers read every change', () => pollersCaughtUp(session), 600_000, 2000);
    await waitUntil(
      'the fallback table holds nothing of the pipeline',
      async () => (await parkedOf(session)).length === 0,
      600_000,
      3000,
    );
    // Re-sends acknowledged by now are all within what is read next.
    const resentBeforeRead = session.counters.resent.slice();
    const sourceNow = new Map(
      await Promise.all(
        session.entities.map(async (entity) => [entity, await sourceState(session.sourceUrl, entity)] as const),
      ),
    );
    const read = await Promise.all(
      session.topics.map(async (topic) => ({
        topic,
        ...(await consumeTopic(topic, session.config.custom.names.schemaRegistry)),
      })),
    );
    const checks = read.map(({ topic, messages }) => ({ topic, check: checkTopic(messages, startOffsets.get(topic)) }));
    for (const { topic, undecodable } of read) {
      for (const m of undecodable.slice(0, 5))
        problems.push(
          `${topic}: the message at ${m.partition}/${m.offset} (key ${m.key}, eventId ${m.eventId}) cannot be decoded: ${m.error}`,
        );
      if (undecodable.length > 5)
        problems.push(`${topic}: ${undecodable.length - 5} more message(s) cannot be decoded`);
    }
    const onKafka = checks.reduce((n, c) => n + c.check.messages, 0);
    // What this run wrote (a quick run's topics also hold earlier runs' messages, consumed before).
    const endsAfter = await partitionEndOffsets(session.topics);
    const [after, before] = [totalsOf(endsAfter), totalsOf(startOffsets)];
    const written = session.topics.reduce((n, t) => n + after.get(t)! - before.get(t)!, 0);
    await waitUntil(
      `the consumer wrote all ${written} new Kafka messages (every partition's raw mark at its end offset)`,
      () => rawCaughtUp(session, endsAfter),
      600_000,
      2000,
    );
    // raw/ holds each of this run's messages once (issue 19): one row per (partition, offset).
    const rawChecks: RawCheck[] = [];
    for (const [i, entity] of session.entities.entries()) {
      const topic = session.topics[i]!;
      const bucket = session.config.custom.names.rawBucket;
      const { rows } = await rawRows(session.s3, bucket, entity);
      const deadLettered = new Set(
        (await listKeys(session.s3, bucket, `dead-letter/entity=${entity}/${topic}-`)).map((k) =>
          k.slice(k.lastIndexOf(`${topic}-`) + topic.length + 1, -'.json'.length).replace('-', '/'),
        ),
      );
      const messages = read.find((r) => r.topic === topic)!.messages;
      const check = checkRaw(topic, rows, messages, deadLettered, startOffsets.get(topic));
      rawChecks.push(check);
      if (check.duplicated.length > 0)
        problems.push(
          `${topic}: ${check.duplicated.length} Kafka record(s) in raw/ more than once: ${check.duplicated.slice(0, 5).join(', ')}`,
        );
      if (check.missing.length > 0)
        problems.push(
          `${topic}: ${check.missing.length} Kafka record(s) neither in raw/ nor dead-lettered: ${check.missing.slice(0, 5).join(', ')}`,
        );
    }

    let lake: LakeReconciliation | undefined;
    if (quick) {
      progress.step(`seed ${seed}: the reconciliation (quick: no Spark job)`);
    } else {
      progress.step(`seed ${seed}: the Spark batch job, then the reconciliation`);
      const job = await runBatchJob(session, runtime);
      if (job.state !== 'SUCCESS') problems.push(`the Spark job run ${job.run.jobRunId} ended ${job.state}`);
    }
    await runtime.stop();
    runtime = undefined;

    // Every re-send Kafka acknowledged is where Kafka said it wrote it (the retry function logs each one).
    const atOffset = new Map(
      read.flatMap(({ topic, messages }) =>
        messages.map((m) => [`${topic}/${m.partition}/${m.offset}`, String(m.value.eventId)] as const),
      ),
    );
    for (const r of resentBeforeRead) {
      const found = atOffset.get(`${r.topic}/${r.partition}/${r.offset}`);
      if (found !== r.eventId)
        problems.push(
          `${r.topic}: the retry function's re-send of ${r.id} (eventId ${r.eventId}) was acknowledged at ${r.partition}/${r.offset}, which holds ${found === undefined ? 'no readable message' : `eventId ${found}`}`,
        );
    }
    for (const { topic, check } of checks) {
      if (check.sentMoreThanTwice > 0)
        problems.push(`${topic}: ${check.sentMoreThanTwice} eventId(s) on the topic more than twice`);
      if (check.backwardsKeys.length > 0)
        problems.push(`${topic}: key(s) going back in time: ${check.backwardsKeys.slice(0, 5).join(', ')}`);
    }
    if (!quick) {
      lake = await reconcileLake(session);
      for (const v of lake.verdicts) problems.push(...v.problems);
    }
    const accounted = new Set(
      [...(await parkedOf(session)), ...(await archivedChanges(session.s3, session.config.custom.names.rawBucket))].map(
        (c) => changeKey(c.id, c.updatedAt),
      ),
    );
    const onTopics = new Set(checks.flatMap((c) => [...c.check.changes]));
    let latest = 0;
    for (const entity of session.entities) {
      for (const record of sourceNow.get(entity)!.records) {
        latest += 1;
        const key = changeKey(record.id, record.updatedAt);
        if (!onTopics.has(key) && !accounted.has(key)) {
          // What is known of the id, to tell a loss from a race: its changes on the topic, in the table, in the archive.
          const seen = [...onTopics].filter((c) => c.startsWith(`${record.id}@`));
          const parked = [...accounted].filter((c) => c.startsWith(`${record.id}@`));
          problems.push(
            `${entity} ${key} (${record.op}${record.broken ? `, ${record.broken}` : ''}): the latest change is neither on Kafka nor parked nor archived; on Kafka: ${seen.join(', ') || 'none'}; parked or archived: ${parked.join(', ') || 'none'}`,
          );
        }
      }
    }
    return {
      seed,
      faults,
      injected,
      problems,
      figures: {
        'source records': latest,
        'Kafka messages': onKafka,
        'Kafka distinct eventIds': checks.reduce((n, c) => n + c.check.distinctEvents, 0),
        'raw rows': rawChecks.reduce((n, c) => n + c.rows, 0),
        'raw distinct offsets': rawChecks.reduce((n, c) => n + c.offsets, 0),
        'raw distinct eventIds': rawChecks.reduce((n, c) => n + c.eventIds, 0),
        duplicates: checks.reduce((n, c) => n + c.check.duplicates, 0),
        parked: Object.values(session.counters.parked).reduce((a, b) => a + b, 0),
        retried: session.counters.retried,
        archived: session.counters.archived,
        'failed invocations': Object.values(session.counters.errors).reduce((a, b) => a + b, 0),
        'AWS calls refused': proxy.failed,
        'AWS answers lost': proxy.answersLost,
        'AWS connections reset': proxy.refused,
        'source timeouts': (await sourceFaultCounts(session.sourceUrl, session.entities[0]!)).hang - hangsBefore,
        ...(lake ? { 'Delta rows': lake.verdicts.reduce((n, v) => n + v.deltaRows, 0) } : {}),
      },
    };
  } finally {
    await runtime?.stop();
    await extraPoller?.close();
    await proxy.close();
    await restoreFaults?.().catch((error: Error) =>
      session.log(`could not restore the source's faults: ${error.message}`),
    );
    await closeSession(session);
    if (storeBefore === undefined) delete process.env.CDC_CHECKPOINT_STORE;
    else process.env.CDC_CHECKPOINT_STORE = storeBefore;
    if (kafkaAuthBefore === undefined) delete process.env.CDC_KAFKA_AUTH;
    else process.env.CDC_KAFKA_AUTH = kafkaAuthBefore;
    if (kafkaClientBefore === undefined) delete process.env.CDC_LOCAL_KAFKA_CLIENT;
    else process.env.CDC_LOCAL_KAFKA_CLIENT = kafkaClientBefore;
  }
}

async function main(): Promise<void> {
  const options = commandLineOf(CHAOS_USAGE, parseChaosArgs);
  const progress = new Progress(`${LOG_DIR}/chaos.log`);
  progress.say(
    `cdc-pipeline chaos suite: seeds ${options.seeds.join(', ')}, ${options.events} changes each (log: ${progress.logPath})`,
  );
  const results: SeedResult[] = [];
  let failed = false;
  try {
    for (const seed of options.seeds) {
      const store = checkpointStoreOf(seed, options.store);
      const result = await runSeed(
        seed,
        options.events,
        options.quick,
        store,
        progress,
        kafkaAuthOf(seed, options.kafkaAuth),
        options.kafkaClient,
      ).catch(
        (error: Error): SeedResult => ({
          seed,
          faults: [],
          injected: {},
          problems: [`the run failed: ${error.message}`],
          figures: {},
        }),
      );
      results.push(result);
      for (const problem of result.problems.slice(0, 20)) progress.say(`  seed ${seed}: ${problem}`);
      if (result.problems.length > 0) {
        failed = true;
        progress.say(
          `  seed ${seed}: NOT reconciled (${result.problems.length} problem(s)); replay with: npm run test:chaos -- --seed ${seed} --events ${options.events}${options.quick ? ' --quick' : ''}`,
        );
      } else progress.say(`  seed ${seed}: reconciled`);
    }
  } finally {
    const figures = [...new Set(results.flatMap((r) => Object.keys(r.figures)))];
    progress.say(
      `\n${table([
        ['seed', 'faults injected', ...figures, 'verdict'],
        ...results.map((r) => [
          String(r.seed),
          Object.entries(r.injected)
            .map(([k, n]) => `${n} ${k}`)
            .join(', '),
          ...figures.map((f) => String(r.figures[f] ?? '-')),
          r.problems.length === 0 ? 'reconciled' : `${r.problems.length} PROBLEMS`,
        ]),
      ])}`,
    );
    await progress.finish();
  }
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`chaos suite failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
