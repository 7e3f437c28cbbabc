import type { ParkedItem, ParkReason } from '../fallback';
import type { FrameCompression } from '../serde/glue-frame';

export interface StaleLimit {
  readonly maxAgeSeconds: number;
  readonly maxAttempts: number;
}

/** How the retry function treats parked items; every value is a stage param (see serverless.yml). */
export interface RedrivePolicy {
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Per reason, with a `default`. */
  readonly stale: Readonly<Record<string, StaleLimit>>;
  readonly sweepBatchSize: number;
  /** How long a claim on an item holds before another invocation may take it over. */
  readonly claimMs: number;
  /** Keys drained at once by a sweep. */
  readonly concurrency: number;
  readonly topicOf: (entity: string) => string;
  readonly compressionOf: (entity: string) => FrameCompression;
}

/** The attempt after `attempts` failures: exponential, capped, with full jitter on the upper half. */
export function nextAttemptAt(
  now: Date,
  attempts: number,
  policy: Pick<RedrivePolicy, 'backoffBaseMs' | 'backoffCapMs'>,
  random: () => number = Math.random,
): string {
  const ceiling = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + ceiling / 2 + random() * (ceiling / 2)).toISOString();
}

/** Why an item is stale now, or undefined while it may still be saved. */
export function staleBecause(
  item: Pick<ParkedItem, 'reason' | 'attempts' | 'firstSeenAt'>,
  now: Date,
  policy: Pick<RedrivePolicy, 'stale'>,
): string | undefined {
  const limit = policy.stale[item.reason as ParkReason] ?? policy.stale.default;
  if (limit === undefined) return undefined;
  const ageSeconds = (now.getTime() - Date.parse(item.firstSeenAt)) / 1000;
  if (ageSeconds > limit.maxAgeSeconds)
    return `parked for ${Math.round(ageSeconds)} s, more than the ${limit.maxAgeSeconds} s allowed for ${item.reason}`;
  if (item.attempts >= limit.maxAttempts) return `${item.attempts} attempts, the most allowed for ${item.reason}`;
  return undefined;
}
