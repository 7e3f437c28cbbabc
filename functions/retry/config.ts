import {
  type CommonConfig,
  ConfigError,
  loadCommonConfig,
  optionalString,
  requireInt,
  requireString,
} from '../../lib/config';
import { PARK_REASONS } from '../../lib/fallback';
import { topicFor } from '../../lib/config';
import type { RedrivePolicy, StaleLimit } from '../../lib/redrive';

export interface RetryConfig extends CommonConfig {
  readonly alertTopicArn: string;
  readonly archiveBucket: string;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly stale: Readonly<Record<string, StaleLimit>>;
  readonly sweepBatchSize: number;
  /** How long "the latest schema version" is trusted: a fixed schema is used by sweeps after this. */
  readonly schemaLatestTtlMs: number;
  /**
   * How long a claim on a parked item holds: it must outlive an invocation (the function's
   * timeout), so a live one never loses its items; a dead one's items wait this long.
   */
  readonly claimMs: number;
  /** How many sweeps one scheduled sweep may chain when it runs out of time with due work left (0: none). */
  readonly sweepChainMax: number;
}

/** Read once at cold start; a bad value fails here, naming the variable. */
export function loadRetryConfig(env: Readonly<Record<string, string | undefined>>): RetryConfig {
  const backoffBaseMs = requireInt(env, 'CDC_RETRY_BACKOFF_BASE_SECONDS', { min: 1, max: 86_400 }) * 1000;
  const backoffCapMs = requireInt(env, 'CDC_RETRY_BACKOFF_CAP_SECONDS', { min: 1, max: 7 * 86_400 }) * 1000;
  if (backoffCapMs < backoffBaseMs)
    throw new ConfigError(
      'CDC_RETRY_BACKOFF_CAP_SECONDS',
      `must be at least CDC_RETRY_BACKOFF_BASE_SECONDS (${backoffBaseMs / 1000}), got ${backoffCapMs / 1000}`,
    );
  return {
    ...loadCommonConfig(env),
    alertTopicArn: requireString(env, 'CDC_ALERT_TOPIC_ARN'),
    archiveBucket: requireString(env, 'CDC_ARCHIVE_BUCKET'),
    backoffBaseMs,
    backoffCapMs,
    // The defaults live in serverless.yml (params retryStale, retrySweepChainMax; the function's timeout) only.
    stale: parseStale(requireString(env, 'CDC_RETRY_STALE')),
    sweepBatchSize: requireInt(env, 'CDC_RETRY_SWEEP_BATCH_SIZE', { min: 1, max: 1000 }),
    schemaLatestTtlMs:
      (optionalString(env, 'CDC_SCHEMA_LATEST_TTL_SECONDS') === undefined
        ? 60
        : requireInt(env, 'CDC_SCHEMA_LATEST_TTL_SECONDS', { min: 0, max: 3600 })) * 1000,
    sweepChainMax: requireInt(env, 'CDC_RETRY_SWEEP_CHAIN_MAX', { min: 0, max: 20 }),
    claimMs: requireInt(env, 'CDC_RETRY_CLAIM_SECONDS', { min: 10, max: 3600 }) * 1000,
  };
}

/** `{"default": {"maxAgeSeconds": …, "maxAttempts": …}, "<REASON>": {…}}`: when a parked event becomes stale, per reason. */
export function parseStale(raw: string): Record<string, StaleLimit> {
  const fail = (problem: string): never => {
    throw new ConfigError('CDC_RETRY_STALE', problem);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail(`is not JSON: ${raw.slice(0, 80)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return fail('must be an object of reason → {maxAgeSeconds, maxAttempts}');
  const limits: Record<string, StaleLimit> = {};
  for (const [reason, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (reason !== 'default' && !(PARK_REASONS as readonly string[]).includes(reason))
      fail(`unknown reason "${reason}"; one of default, ${PARK_REASONS.join(', ')}`);
    const { maxAgeSeconds, maxAttempts } = (value ?? {}) as Record<string, unknown>;
    if (typeof maxAgeSeconds !== 'number' || !(maxAgeSeconds >= 0))
      fail(`${reason}.maxAgeSeconds must be a number of seconds ≥ 0`);
    if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1)
      fail(`${reason}.maxAttempts must be a whole number ≥ 1`);
    limits[reason] = { maxAgeSeconds: maxAgeSeconds as number, maxAttempts: maxAttempts as number };
  }
  if (limits.default === undefined) fail('needs a "default" entry');
  return limits;
}

/** The retry core's policy from the function's configuration (also what the benchmark drains with). */
export function redrivePolicyOf(config: RetryConfig): RedrivePolicy {
  return {
    backoffBaseMs: config.backoffBaseMs,
    backoffCapMs: config.backoffCapMs,
    stale: config.stale,
    sweepBatchSize: config.sweepBatchSize,
    // 8 keys at once keep Kafka busy without flooding DynamoDB.
    claimMs: config.claimMs,
    concurrency: 8,
    topicOf: (entity) => topicFor(config, entity),
    compressionOf: (entity) => config.entities.get(entity)?.compression ?? 'none',
  };
}
