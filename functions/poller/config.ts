import {
  type CheckpointStoreConfig,
  loadCommonConfig,
  optionalString,
  parseCheckpointStore,
  requireInt,
  requireString,
  requireUrl,
} from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import type { PollRequest } from '../../lib/poller';
import type { RetryPolicy } from '../../lib/retry';
import { parseMapping, type ResponseMapping } from '../../lib/source';

/** The poller's tunables that no stage sets: their values, in this one place. */
export const POLLER_TUNING = {
  /** A page request is retried this way on 429, 5xx and network errors (a Retry-After is honoured). */
  sourceRetry: { retries: 6, initialDelayMs: 200, maxDelayMs: 20_000 },
  /** A larger page is refused: the function's memory bounds what one page may hold. */
  maxResponseBytes: 20 * 1024 * 1024,
  pollLimits: { maxPages: 10_000, maxConsecutiveEmptyPages: 5 },
  /**
   * A backfill run (which holds the entity's lease, so no live run reads meanwhile) stops after
   * this long; the operator's command runs the next slice, and the schedule's live runs go between.
   */
  backfillSliceMs: 30_000,
} as const;

export interface PollerConfig extends ReturnType<typeof loadCommonConfig> {
  readonly sourceUrl: URL;
  /** The token itself (stage local), or the SSM parameter holding it (AWS). */
  readonly token: { readonly value: string } | { readonly parameter: string } | undefined;
  readonly pageLimit: number;
  readonly requestTimeoutMs: number;
  readonly mappings: ReadonlyMap<string, ResponseMapping>;
  readonly sourceRetry: RetryPolicy;
  readonly maxResponseBytes: number;
  readonly pollLimits: PollRequest['limits'];
  readonly backfillSliceMs: number;
  /** Per entity: how far behind its checkpoint each run reads again (late commits); 0 is off. */
  readonly lookbackMs: ReadonlyMap<string, number>;
  /** DynamoDB or PostgreSQL (CDC_CHECKPOINT_STORE, the param checkpointStore). */
  readonly checkpointStore: CheckpointStoreConfig;
}

/** A lookback of more than a day would re-read a day of changes every run. */
const MAX_LOOKBACK_SECONDS = 86_400;

/** Read once at cold start; a bad value fails here, naming the variable. */
export function loadPollerConfig(env: Readonly<Record<string, string | undefined>>): PollerConfig {
  const common = loadCommonConfig(env);
  const raw = JSON.parse(requireString(env, 'CDC_ENTITIES')) as Record<
    string,
    { mapping?: unknown; lookbackSeconds?: unknown } | null
  >;
  const lookbackDefault = requireInt(env, 'CDC_POLL_LOOKBACK_SECONDS', { min: 0, max: MAX_LOOKBACK_SECONDS });
  const lookbackMs = new Map(
    [...common.entities.keys()].map((entity) => [
      entity,
      1000 * entityLookbackSeconds(entity, raw[entity]?.lookbackSeconds, lookbackDefault),
    ]),
  );
  const mappings = new Map(
    [...common.entities.keys()].map((entity) => [entity, parseMapping(entity, raw[entity]?.mapping)]),
  );
  const tokenValue = optionalString(env, 'CDC_SOURCE_TOKEN');
  const tokenParameter = optionalString(env, 'CDC_SOURCE_TOKEN_PARAMETER');
  if (tokenParameter !== undefined && !tokenParameter.startsWith('/'))
    throw new ConfigError(
      'CDC_SOURCE_TOKEN_PARAMETER',
      `must be an SSM parameter name starting with "/", got "${tokenParameter}"`,
    );
  return {
    ...common,
    // Only the local simulator is served over plain http; anywhere else the token would travel in clear.
    sourceUrl: requireUrl(
      env,
      'CDC_SOURCE_URL',
      common.stage === 'local' ? {} : { httpsOnly: { stage: common.stage } },
    ),
    // Locally the simulator needs no token unless one is given; on AWS the SSM parameter is used.
    token:
      tokenValue !== undefined
        ? { value: tokenValue }
        : common.stage !== 'local' && tokenParameter !== undefined
          ? { parameter: tokenParameter }
          : undefined,
    pageLimit: requireInt(env, 'CDC_POLL_PAGE_LIMIT', { min: 1, max: 1000 }),
    requestTimeoutMs:
      optionalString(env, 'CDC_SOURCE_TIMEOUT_MS') === undefined
        ? 10_000
        : requireInt(env, 'CDC_SOURCE_TIMEOUT_MS', { min: 100, max: 120_000 }),
    mappings,
    lookbackMs,
    checkpointStore: parseCheckpointStore(env, common.stage),
    ...POLLER_TUNING,
  };
}

/** params.entities.<entity>.lookbackSeconds wins over CDC_POLL_LOOKBACK_SECONDS (params.pollLookbackSeconds). */
function entityLookbackSeconds(entity: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LOOKBACK_SECONDS)
    throw new ConfigError(
      `CDC_ENTITIES.${entity}.lookbackSeconds`,
      `must be an integer from 0 to ${MAX_LOOKBACK_SECONDS}, got ${JSON.stringify(value)}`,
    );
  return value;
}
