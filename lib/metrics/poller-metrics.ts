import { START_OF_TIME } from '../checkpoint';
import type { SourceErrorKind } from '../source/errors';
import { type MetricPoint, POLLER_METRICS as M, type PollerOutcome } from './catalogue';

/** What one poller invocation did, as its metrics see it: its summary, or its failure. */
export interface PollerRunFacts {
  readonly stage: string;
  readonly entity: string;
  /** Undefined when the run failed. */
  readonly summary?: {
    readonly pages: number;
    readonly fetched: number;
    readonly published: number;
    readonly duplicates: number;
    readonly lateChanges: number;
    readonly redelivered: number;
    readonly parked: Readonly<Record<string, number>>;
    readonly checkpointAfter: { readonly updatedAt: string };
    readonly stoppedBecause: 'done' | 'time budget' | 'another run is ahead' | 'another run is polling';
    readonly window?: unknown;
  };
  /** The source requests that failed during the run (retried or not), by kind. */
  readonly sourceErrors: Readonly<Partial<Record<SourceErrorKind, number>>>;
  readonly now: Date;
}

const OUTCOME = {
  done: 'done',
  'time budget': 'out_of_time',
  'another run is polling': 'lease_held',
  'another run is ahead': 'behind',
} as const satisfies Record<string, PollerOutcome>;

/** The data points of one poller invocation (pure: the sink writes them). */
export function pollerMetrics(facts: PollerRunFacts): MetricPoint[] {
  const base = { stage: facts.stage, entity: facts.entity };
  const point = (metric: MetricPoint['metric'], value: number, more: Record<string, string> = {}): MetricPoint => ({
    metric,
    value,
    dimensions: { ...base, ...more },
  });
  const points = Object.entries(facts.sourceErrors).map(([kind, n]) => point(M.sourceErrors, n ?? 0, { kind }));
  const summary = facts.summary;
  if (summary === undefined) return [...points, point(M.runs, 1, { outcome: 'failed' })];
  const parked = Object.values(summary.parked).reduce((a, b) => a + b, 0);
  if (summary.window !== undefined)
    return [...points, point(M.backfillPublished, summary.published), point(M.backfillParked, parked)];
  const outcome = OUTCOME[summary.stoppedBecause];
  points.push(
    point(M.runs, 1, { outcome }),
    point(M.pages, summary.pages),
    point(M.fetched, summary.fetched),
    point(M.published, summary.published),
    point(M.duplicates, summary.duplicates),
    point(M.lateChanges, summary.lateChanges),
    point(M.redelivered, summary.redelivered),
    ...Object.entries(summary.parked).map(([reason, n]) => point(M.parked, n, { reason })),
  );
  // A run that read the source (to its end or its time budget) is alive, whether or not anything changed.
  if (outcome === 'done' || outcome === 'out_of_time') {
    points.push(point(M.heartbeat, 1));
    if (summary.checkpointAfter.updatedAt !== START_OF_TIME.updatedAt)
      points.push(
        point(
          M.checkpointLag,
          Math.max(0, (facts.now.getTime() - Date.parse(summary.checkpointAfter.updatedAt)) / 1000),
        ),
      );
  }
  return points;
}

/**
 * The source errors of the invocation in progress, by kind. A container runs one invocation at a
 * time, so one tally per container, taken (and reset) when the invocation ends, is that run's.
 */
export class SourceErrorTally {
  private counts: Partial<Record<SourceErrorKind, number>> = {};

  note(error: { readonly kind: SourceErrorKind }): void {
    this.counts[error.kind] = (this.counts[error.kind] ?? 0) + 1;
  }

  take(): Partial<Record<SourceErrorKind, number>> {
    const taken = this.counts;
    this.counts = {};
    return taken;
  }
}
