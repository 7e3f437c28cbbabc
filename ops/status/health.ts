import type { ParkedItemHeader } from '../../lib/fallback';
import catalogue from '../../lib/metrics/metrics.json';
import type { MetricRecord } from '../../stage/local-metrics';
import type { JobRunRecord } from './ports';

/** The alarms' own thresholds (stage params, resources/alarms.js), so status and the alarms agree. */
export interface HealthThresholds {
  readonly missedPeriods: number;
  readonly checkpointLagSeconds: number;
  readonly backlogAgeSeconds: number;
  /** Each entity's poll schedule period (its pollRate), in seconds. */
  readonly pollPeriodSeconds: Readonly<Record<string, number>>;
}

export type Verdict = 'OK' | 'WARN' | 'ALARM';

export interface EntityHealth {
  readonly entity: string;
  readonly verdict: Verdict;
  readonly lastHeartbeat: string | null;
  readonly checkpointLagSeconds: number | null;
  /** The oldest event of the entity waiting in the fallback table (RETRIABLE or AMBIGUOUS), in seconds. */
  readonly backlogAgeSeconds: number | null;
  /** Records the consumer dead-lettered in the last 5 minutes (the alarm's period). */
  readonly deadLetters: number;
  readonly lastJobRun: { readonly name: string; readonly state: string } | null;
  /** Why it is not OK, one line each. */
  readonly findings: readonly string[];
}

/** Where the metrics of a stage are read: CloudWatch, or stage local's file (stage/local-metrics.ts). */
export interface MetricHistory {
  records(since: Date): Promise<MetricRecord[]>;
}

const DEAD_LETTER_WINDOW_S = 300;
const P = catalogue.poller;

/** How far back the health needs metrics: the longest silence an alarm waits for, and the dead letters' window. */
export function healthWindowSeconds(thresholds: HealthThresholds): number {
  const longest = Math.max(60, ...Object.values(thresholds.pollPeriodSeconds));
  return Math.max(DEAD_LETTER_WINDOW_S, (thresholds.missedPeriods + 1) * longest);
}

/**
 * Each entity judged as its alarms would judge it: a failed run in the last period, no heartbeat
 * for `missedPeriods` periods (none at all counts as none, as missing data breaches the alarm),
 * checkpoint lag and backlog age over their bounds (WARN past half of them), dead letters, a
 * failed last job run.
 */
export function judgeHealth(input: {
  readonly entities: readonly string[];
  readonly records: readonly MetricRecord[];
  readonly parked: readonly ParkedItemHeader[];
  readonly jobs: readonly JobRunRecord[];
  readonly thresholds: HealthThresholds;
  readonly now: Date;
}): EntityHealth[] {
  const now = input.now.getTime();
  return input.entities.map((entity) => {
    const period = input.thresholds.pollPeriodSeconds[entity] ?? 300;
    const own = input.records.filter((r) => r.namespace === catalogue.namespace && r.dimensions.entity === entity);
    const findings: { verdict: Verdict; text: string }[] = [];
    const failed = own.filter(
      (r) => r.dimensions.outcome === 'failed' && r.values[P.runs.name] !== undefined && now - r.at <= period * 1000,
    ).length;
    if (failed > 0) findings.push({ verdict: 'ALARM', text: `${failed} poller run(s) failed in the last ${period} s` });
    const beat = own.filter((r) => (r.values[P.heartbeat.name] ?? 0) > 0).at(-1);
    const silentFor = beat === undefined ? null : (now - beat.at) / 1000;
    const silentBound = input.thresholds.missedPeriods * period;
    if (silentFor === null || silentFor > silentBound)
      findings.push({
        verdict: 'ALARM',
        text: `no successful poller run ${silentFor === null ? 'seen' : `for ${Math.round(silentFor)} s`} (alarm after ${silentBound} s)`,
      });
    else if (silentFor > 2 * period)
      findings.push({ verdict: 'WARN', text: `no successful poller run for ${Math.round(silentFor)} s` });
    const lag = own.filter((r) => r.values[P.checkpointLag.name] !== undefined).at(-1)?.values[P.checkpointLag.name];
    judgeBound(findings, 'checkpoint lag', lag, input.thresholds.checkpointLagSeconds);
    const waiting = input.parked.filter(
      (i) => i.entity === entity && (i.status === 'RETRIABLE' || i.status === 'AMBIGUOUS'),
    );
    const oldest = waiting.reduce<string | undefined>(
      (min, i) => (min === undefined || i.firstSeenAt < min ? i.firstSeenAt : min),
      undefined,
    );
    const backlog = oldest === undefined ? null : Math.max(0, (now - Date.parse(oldest)) / 1000);
    judgeBound(findings, 'fallback backlog age', backlog ?? undefined, input.thresholds.backlogAgeSeconds);
    const deadLetters = own
      .filter((r) => now - r.at <= DEAD_LETTER_WINDOW_S * 1000)
      .reduce((n, r) => n + (r.values[catalogue.consumer.deadLettered.name] ?? 0), 0);
    if (deadLetters > 0)
      findings.push({
        verdict: 'ALARM',
        text: `${deadLetters} record(s) dead-lettered by the consumer in the last 5 min`,
      });
    const job = [...input.jobs]
      .filter((j) => j.name.split('-').slice(2).join('-').split('+').includes(entity))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .at(-1);
    if (job?.state === 'FAILED')
      findings.push({ verdict: 'ALARM', text: `the last Spark run ${job.name} (${job.jobRunId}) FAILED` });
    return {
      entity,
      verdict: findings.some((f) => f.verdict === 'ALARM') ? 'ALARM' : findings.length > 0 ? 'WARN' : 'OK',
      lastHeartbeat: beat === undefined ? null : new Date(beat.at).toISOString(),
      checkpointLagSeconds: lag ?? null,
      backlogAgeSeconds: backlog,
      deadLetters,
      lastJobRun: job === undefined ? null : { name: job.name, state: job.state },
      findings: findings.map((f) => `${f.verdict}: ${f.text}`),
    };
  });
}

function judgeBound(
  findings: { verdict: Verdict; text: string }[],
  what: string,
  seconds: number | undefined,
  bound: number,
): void {
  if (seconds === undefined) return;
  if (seconds > bound) findings.push({ verdict: 'ALARM', text: `${what} ${Math.round(seconds)} s, over ${bound} s` });
  else if (seconds > bound / 2)
    findings.push({ verdict: 'WARN', text: `${what} ${Math.round(seconds)} s, over half of ${bound} s` });
}
