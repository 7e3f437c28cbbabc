/**
 * Freshness: the time from a change appearing at the source to its row in Delta, from the
 * stream's micro-batch lines (glue-jobs/src/cdc_jobs/streaming.py: each batch's commit time and
 * the source time, `_updated_at`, of each change it applied).
 *
 * The simulator stamps changes with its own clock, which runs ahead of the wall clock, so a
 * change's `_updated_at` says where it is in the source's order, not when it appeared. Each
 * `POST /admin/generate` answers with the source clock's latest time after it: a change appeared
 * at the wall time of the first generate call whose latest time reached its `_updated_at`.
 */

export interface StreamBatch {
  readonly entity: string;
  readonly batch_id: number;
  readonly changes: number;
  /** Epoch seconds, when the batch's MERGE had committed. */
  readonly committed_at: number;
  /** Epoch seconds: each applied change's `_updated_at`. */
  readonly updated_at: readonly number[];
}

export interface Freshness {
  readonly changes: number;
  readonly p50Seconds: number;
  readonly p95Seconds: number;
  readonly maxSeconds: number;
}

/** The stream's lines in a spark-submit log. */
export function streamBatchesOf(log: string): StreamBatch[] {
  return log
    .split('\n')
    .filter((l) => l.startsWith('{"cdc_stream_batch"'))
    .map((l) => (JSON.parse(l) as { cdc_stream_batch: StreamBatch }).cdc_stream_batch);
}

/** When each change appeared at the simulator, from its generate calls. */
export class SourceAppearances {
  private readonly bursts: { latestMs: number; atMs: number }[] = [];

  /** `since`: the source clock's latest time before the first noted call (older changes were not made by them). */
  constructor(private readonly sinceMs: number) {}

  /** One generate call: the source clock's latest time after it, and the wall time it was made. */
  note(latestUpdatedAt: string, atMs: number): void {
    const latestMs = Date.parse(latestUpdatedAt);
    if (!Number.isFinite(latestMs)) throw new Error(`not a source time: ${latestUpdatedAt}`);
    this.bursts.push({ latestMs, atMs });
  }

  /** The wall time (ms) the change stamped `updatedAtMs` appeared, or undefined when no noted call made it. */
  appearedAt(updatedAtMs: number): number | undefined {
    if (updatedAtMs <= this.sinceMs) return undefined;
    let low = 0;
    let high = this.bursts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.bursts[mid]!.latestMs < updatedAtMs) low = mid + 1;
      else high = mid;
    }
    return this.bursts[low]?.atMs;
  }
}

/**
 * p50, p95 and the maximum over every applied change a noted generate call made (others, e.g.
 * from before the run, are left out). Undefined when there are none.
 */
export function freshnessOf(batches: readonly StreamBatch[], appearances: SourceAppearances): Freshness | undefined {
  const lags: number[] = [];
  for (const batch of batches)
    for (const updatedAt of batch.updated_at) {
      // Source times are whole milliseconds; the epoch seconds carry them exactly enough to round.
      const at = appearances.appearedAt(Math.round(updatedAt * 1000));
      if (at !== undefined) lags.push(Math.max(0, batch.committed_at * 1000 - at) / 1000);
    }
  if (lags.length === 0) return undefined;
  lags.sort((a, b) => a - b);
  return {
    changes: lags.length,
    p50Seconds: quantile(lags, 0.5),
    p95Seconds: quantile(lags, 0.95),
    maxSeconds: lags[lags.length - 1]!,
  };
}

/** The nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
