import { CONSUMER_METRICS as C, JOB_METRICS as J, type MetricPoint, RETRY_METRICS as R } from './catalogue';

/** What the consumer wrote of one batch, per entity (its ConsumeSummary.byEntity). */
export interface ConsumerBatchFacts {
  readonly stage: string;
  readonly byEntity: Readonly<
    Record<
      string,
      {
        readonly records: number;
        readonly rows: number;
        readonly objects: number;
        readonly deadLettered: Readonly<Record<string, number>>;
        readonly newestRecordAt: number;
      }
    >
  >;
  readonly now: Date;
}

/** Records, rows and objects written, dead letters by reason, and the Kafka lag at the batch (its newest record's age). */
export function consumerMetrics(facts: ConsumerBatchFacts): MetricPoint[] {
  return Object.entries(facts.byEntity).flatMap(([entity, e]) => {
    const dimensions = { stage: facts.stage, entity };
    return [
      { metric: C.records, value: e.records, dimensions },
      { metric: C.rows, value: e.rows, dimensions },
      { metric: C.objects, value: e.objects, dimensions },
      { metric: C.lag, value: Math.max(0, (facts.now.getTime() - e.newestRecordAt) / 1000), dimensions },
      ...Object.entries(e.deadLettered).map(([reason, n]) => ({
        metric: C.deadLettered,
        value: n,
        dimensions: { ...dimensions, reason },
      })),
    ];
  });
}

/** What one retry invocation did (a stream batch or a sweep). */
export interface RetryFacts {
  readonly stage: string;
  readonly published: number;
  readonly failed: number;
  readonly stillInvalid: number;
  readonly stale: number;
  readonly superseded: number;
  /** A sweep's: what it archived, and when its longest-waiting due item was parked. */
  readonly archived?: number;
  readonly oldestDueParkedAt?: string;
  /** A scheduled sweep's census: per entity, its parked items by status (lib/redrive/backlog.ts). */
  readonly backlog?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly now: Date;
}

/**
 * Re-sent, still failing, turned STALE or SUPERSEDED, archived; from each sweep the age of the
 * longest-waiting due item (0 when nothing is due: an empty backlog has no age); and from a
 * scheduled sweep the backlog per entity and status.
 */
export function retryMetrics(facts: RetryFacts): MetricPoint[] {
  const dimensions = { stage: facts.stage };
  const points: MetricPoint[] = [
    { metric: R.resent, value: facts.published, dimensions },
    { metric: R.stillFailing, value: facts.failed + facts.stillInvalid, dimensions },
    { metric: R.stale, value: facts.stale, dimensions },
    { metric: R.superseded, value: facts.superseded, dimensions },
  ];
  if (facts.archived === undefined) return points;
  const age =
    facts.oldestDueParkedAt === undefined
      ? 0
      : Math.max(0, (facts.now.getTime() - Date.parse(facts.oldestDueParkedAt)) / 1000);
  const backlog = Object.entries(facts.backlog ?? {}).flatMap(([entity, byStatus]) =>
    Object.entries(byStatus).map(([status, count]) => ({
      metric: R.backlog,
      value: count,
      dimensions: { stage: facts.stage, entity, status },
    })),
  );
  return [
    ...points,
    { metric: R.archived, value: facts.archived, dimensions },
    { metric: R.oldestDueAge, value: age, dimensions },
    ...backlog,
  ];
}

/**
 * The job launcher's runs: started, found already running, or a launch that failed; and the
 * Spark runs that ended FAILED since the launcher's run before (by run name).
 */
export function jobMetrics(
  stage: string,
  runs: readonly { readonly name: string; readonly started: boolean }[] | 'failed',
  failedRuns: readonly { readonly name: string }[] = [],
): MetricPoint[] {
  const failed = failedRuns.map((run) => ({ metric: J.failed, value: 1, dimensions: { stage, job: run.name } }));
  if (runs === 'failed')
    return [{ metric: J.failedOnStart, value: 1, dimensions: { stage, job: 'launch' } }, ...failed];
  return [
    ...runs.map((run) => ({
      metric: run.started ? J.started : J.alreadyRunning,
      value: 1,
      dimensions: { stage, job: run.name },
    })),
    ...failed,
  ];
}

/**
 * The supervised streams, as a launcher run found them: StreamRunning 1 for a stream EMR reports
 * RUNNING, 0 for one starting or just started (the stage's alarm fires when a stream is not
 * running for two launcher periods in a row), StreamsStarted 1 for each it had to start, and
 * StreamsRestartedForSchema 1 for each of those that replaced a stream on an older schema.
 */
export function streamMetrics(
  stage: string,
  streams: readonly {
    readonly name: string;
    readonly started: boolean;
    readonly state: string;
    readonly restartedBecause?: string;
  }[],
): MetricPoint[] {
  return streams.flatMap((stream) => {
    const dimensions = { stage, job: stream.name };
    const running = { metric: J.streamRunning, value: stream.state === 'RUNNING' ? 1 : 0, dimensions };
    if (!stream.started) return [running];
    const started = { metric: J.streamStarted, value: 1, dimensions };
    return stream.restartedBecause === undefined
      ? [running, started]
      : [running, started, { metric: J.streamRestartedForSchema, value: 1, dimensions }];
  });
}
