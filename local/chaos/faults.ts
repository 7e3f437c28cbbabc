/**
 * The chaos suite's faults, drawn from a seeded generator so that a failing run's fault schedule
 * can be replayed with `--seed`.
 */

/** mulberry32: small, fast, good enough to pick faults; the same seed gives the same schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type FaultKind =
  /** The Kafka broker is killed (SIGKILL) and restarted after a few seconds. */
  | 'kafka-killed'
  /**
   * The Kafka broker is frozen (SIGSTOP, as in a long GC pause) past the producers' 10 s request
   * timeout, then resumes and handles what it was sent: requests time out although they are written.
   */
  | 'kafka-paused'
  /** Every AWS API call of the functions answers 503 for a few seconds (a proxy in front of moto). */
  | 'aws-unavailable'
  /**
   * moto restarting, as the functions see it (its state kept, as AWS keeps it: moto holds its
   * state in memory only, so a real restart would lose every table): for 1 s the requests reach
   * moto and are handled but their answers are lost (connections reset: writes the caller cannot
   * know happened), then for a few seconds every connection is reset before it reaches moto.
   */
  | 'aws-restarted'
  /**
   * The PostgreSQL server holding the checkpoints is killed (SIGKILL: no shutdown, crash recovery
   * on restart) and restarted after a few seconds; only in a run with checkpointStore postgres.
   */
  | 'postgres-killed'
  /** A function's process is killed while it handles an invocation (poller, consumer or retry). */
  | 'handler-killed'
  /** A second poller container runs an entity at the same time as the scheduled one. */
  | 'overlapping-poller'
  | 'none';

export interface PlannedFault {
  readonly kind: FaultKind;
  /** Seconds the fault lasts (outages), or 0. */
  readonly seconds: number;
  /**
   * For a Kafka kill: after the restart, the broker freezes for this long (0: it does not) as
   * soon as the retry function is re-sending the backlog, as a broker still recovering its logs
   * answers late. Concurrent re-sends then time out although written.
   */
  readonly stallSeconds?: number;
  /** Which function or entity it hits, where that applies. */
  readonly target: string;
}

/** Every run has at least one of each of these. */
const REQUIRED: readonly FaultKind[] = ['kafka-killed', 'kafka-paused', 'aws-unavailable', 'aws-restarted'];
const KINDS: readonly FaultKind[] = [
  'kafka-killed',
  'kafka-paused',
  'aws-unavailable',
  'aws-restarted',
  'handler-killed',
  'handler-killed',
  'overlapping-poller',
  'none',
];

/**
 * One fault before each burst of changes; every run has at least one Kafka kill whose restart
 * stalls, one Kafka pause, one AWS outage and one moto restart, and with checkpointStore
 * postgres one PostgreSQL kill.
 */
export function planFaults(
  random: () => number,
  bursts: number,
  entities: readonly string[],
  options: { readonly checkpointStore?: 'dynamodb' | 'postgres' } = {},
): PlannedFault[] {
  const postgres = options.checkpointStore === 'postgres';
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // The checkpoint server's kill only where it holds the checkpoints (other seeds' schedules stay as they were).
  const kinds = postgres ? [...KINDS, 'postgres-killed' as const] : KINDS;
  const plan = Array.from({ length: bursts }, (): PlannedFault => {
    const kind = pick(kinds);
    if (kind === 'kafka-killed')
      return {
        kind,
        seconds: 3 + Math.floor(random() * 8),
        target: 'kafka',
        stallSeconds: random() < 0.5 ? 11 + Math.floor(random() * 5) : 0,
      };
    if (kind === 'kafka-paused') return { kind, seconds: 11 + Math.floor(random() * 5), target: 'kafka' };
    if (kind === 'aws-unavailable' || kind === 'aws-restarted')
      return { kind, seconds: 2 + Math.floor(random() * 5), target: 'moto' };
    if (kind === 'postgres-killed') return { kind, seconds: 2 + Math.floor(random() * 5), target: 'postgres' };
    if (kind === 'handler-killed') return { kind, seconds: 0, target: pick(['poller', 'consumer', 'retry']) };
    if (kind === 'overlapping-poller') return { kind, seconds: 0, target: pick(entities) };
    return { kind, seconds: 0, target: '' };
  });
  const ensure = (kind: FaultKind, fault: PlannedFault): void => {
    if (plan.some((f) => f.kind === kind)) return;
    // Only over a fault that is not the sole one of a kind this plan must have.
    const required = postgres ? [...REQUIRED, 'postgres-killed'] : REQUIRED;
    const free = plan
      .map((f, i) => [f, i] as const)
      .filter(([f]) => !required.includes(f.kind) || plan.filter((g) => g.kind === f.kind).length > 1)
      .map(([, i]) => i);
    plan[free[Math.floor(random() * free.length)]!] = fault;
  };
  ensure('kafka-killed', { kind: 'kafka-killed', seconds: 5, target: 'kafka', stallSeconds: 12 });
  ensure('kafka-paused', { kind: 'kafka-paused', seconds: 12, target: 'kafka' });
  ensure('aws-unavailable', { kind: 'aws-unavailable', seconds: 3, target: 'moto' });
  ensure('aws-restarted', { kind: 'aws-restarted', seconds: 3, target: 'moto' });
  if (postgres) ensure('postgres-killed', { kind: 'postgres-killed', seconds: 4, target: 'postgres' });
  // At least one restart stalls while the backlog drains.
  const kill = plan.findIndex((f) => f.kind === 'kafka-killed');
  if (!plan.some((f) => (f.stallSeconds ?? 0) > 0)) plan[kill] = { ...plan[kill]!, stallSeconds: 12 };
  return plan;
}

/**
 * Which store a seed keeps its checkpoints in: `--store` for every seed, or else PostgreSQL for
 * the seeds that are multiples of 5 (the default run's seed 5) and DynamoDB for the others.
 */
export function checkpointStoreOf(seed: number, store?: 'dynamodb' | 'postgres'): 'dynamodb' | 'postgres' {
  return store ?? (seed % 5 === 0 ? 'postgres' : 'dynamodb');
}

export type KafkaAuthMode = 'none' | 'scram-sha-512';

/** Seed 4 (of the five by default) runs through the stack's SASL_SSL listener, unless --kafka-auth says otherwise. */
export function kafkaAuthOf(seed: number, kafkaAuth?: KafkaAuthMode): KafkaAuthMode {
  return kafkaAuth ?? (seed % 5 === 4 ? 'scram-sha-512' : 'none');
}

/** The poller's timeout in a chaos run (300 s deployed): a killed poller holds its entity's lease until then. */
export const CHAOS_POLLER_TIMEOUT_SECONDS = 90;

/** The poller's source request timeout in a chaos run: short, so that a hung page costs seconds. */
export const CHAOS_SOURCE_TIMEOUT_MS = 2000;

/**
 * The source's own misbehaviour for a run: rate limits, server errors, slow pages, requests that
 * hang past the poller's timeout (`CHAOS_SOURCE_TIMEOUT_MS`), dirty records.
 */
export function sourceFaults(random: () => number): Record<string, number | string> {
  const between = (low: number, high: number): number => Math.round((low + random() * (high - low)) * 1000) / 1000;
  return {
    preset: 'none',
    rate429: between(0.02, 0.1),
    retryAfterSeconds: 1,
    rate5xx: between(0.02, 0.1),
    slowRate: between(0.02, 0.1),
    slowMs: Math.round(between(100, 800)),
    hangRate: between(0.01, 0.03),
    hangMs: 2 * CHAOS_SOURCE_TIMEOUT_MS,
    tieRate: between(0.1, 0.5),
    malformedRate: between(0.01, 0.05),
    schemaBreakRate: between(0.002, 0.01),
    updateWhilePagingRate: between(0, 0.2),
  };
}
