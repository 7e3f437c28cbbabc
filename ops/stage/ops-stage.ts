import {
  type CheckpointStoreConfig,
  parseCheckpointStore,
  parseEntities,
  requireString,
  schedulePeriodSeconds,
} from '../../lib/config';
import { loadResolvedConfig, type ResolvedConfig, stageParam } from '../../stage/resolved-config';
import type { HealthThresholds } from '../status/health';
import { UnknownEntityError, UsageError } from '../errors';

/** What the operator commands need to know about one stage: all of it from its resolved serverless.yml. */
export interface OpsStage {
  readonly stage: string;
  /** Stage `local` talks to the local stack (moto); any other to AWS with the default credential chain. */
  readonly local: boolean;
  readonly region: string;
  readonly entities: readonly string[];
  readonly topicPrefix: string;
  /** The poller's checkpoint store (its CDC_CHECKPOINT_STORE and, for postgres, CDC_RDS_*). */
  readonly checkpointStore: CheckpointStoreConfig;
  readonly fallbackTable: string;
  /** Where parked events too large for an item keep their payload (the functions' CDC_RAW_BUCKET). */
  readonly rawBucket: string;
  /** Where the retry function archives stale and superseded events (its CDC_ARCHIVE_BUCKET). */
  readonly archiveBucket: string;
  /** The EMR Serverless application's name (its id exists only once deployed: looked up by name). */
  readonly emrApplication: string;
  /** The Glue registry the functions encode and decode with (CDC_SCHEMA_REGISTRY). */
  readonly schemaRegistry: string;
  /** Stage local: where the local runtime writes the functions' metrics (default .stack/metrics/emf.jsonl). */
  readonly localMetricsFile?: string;
  /** The alarms' thresholds (stage params), which `status` judges health by. */
  readonly health: HealthThresholds;
  /** The poller function's name on AWS (a bounded backfill invokes it). */
  readonly pollerFunction: string;
  /** Whether the consumer gzips its raw objects (its CDC_RAW_GZIP), so a redrive writes the same keys. */
  readonly rawGzip: boolean;
}

export interface ResolveStageOptions {
  /** The region the stage is deployed in, when not serverless.yml's `provider.region`. */
  readonly region?: string;
  /** An already resolved serverless.yml of this stage (saves the `sls print`). */
  readonly config?: ResolvedConfig;
}

const STAGE_NAME = /^[a-zA-Z0-9-]+$/;

export async function resolveStage(stage: string, options: ResolveStageOptions = {}): Promise<OpsStage> {
  if (!STAGE_NAME.test(stage))
    throw new UsageError('--stage', `"${stage}" is not a stage name (letters, digits and dashes, e.g. local or dev)`);
  return stageFromConfig(options.config ?? (await loadResolvedConfig(stage)), stage, options.region);
}

/**
 * The names come from the functions' own environment in the resolved config, read with the
 * same readers the handlers use, so the commands can never disagree with what was deployed.
 */
export function stageFromConfig(config: ResolvedConfig, stage: string, region?: string): OpsStage {
  const env = { ...config.provider.environment, ...config.functions.retry?.environment } as Record<
    string,
    string | undefined
  >;
  return {
    stage,
    local: stage === 'local',
    region: region ?? config.provider.region ?? 'us-east-1',
    entities: [...parseEntities(env).keys()],
    topicPrefix: requireString(env, 'CDC_TOPIC_PREFIX'),
    checkpointStore: parseCheckpointStore(
      { ...env, ...(config.functions.poller?.environment as Record<string, string | undefined>) },
      stage,
    ),
    fallbackTable: requireString(env, 'CDC_FALLBACK_TABLE'),
    rawBucket: requireString(env, 'CDC_RAW_BUCKET'),
    archiveBucket: requireString(env, 'CDC_ARCHIVE_BUCKET'),
    emrApplication: config.custom.names.emrApplication,
    schemaRegistry: requireString(env, 'CDC_SCHEMA_REGISTRY'),
    rawGzip: config.functions.consumer?.environment?.CDC_RAW_GZIP !== 'false',
    health: healthThresholds(config, stage, JSON.parse(requireString(env, 'CDC_ENTITIES')) as Record<string, unknown>),
    // The framework's own default name when serverless.yml gives none.
    pollerFunction: config.functions.poller?.name ?? `${config.service}-${stage}-poller`,
  };
}

export function requireEntity(stage: OpsStage, entity: string): string {
  if (!stage.entities.includes(entity)) throw new UnknownEntityError(entity, stage.stage, stage.entities);
  return entity;
}

/** `entities`: CDC_ENTITIES as written (an entity's own pollRate is among its options). */
function healthThresholds(config: ResolvedConfig, stage: string, entities: Record<string, unknown>): HealthThresholds {
  const param = (name: string, fallback: number): number => {
    const value = Number(stageParam(config, stage, name));
    return Number.isFinite(value) ? value : fallback;
  };
  const pollRate = stageParam(config, stage, 'pollRate');
  return {
    missedPeriods: param('alarmPollerMissedPeriods', 3),
    checkpointLagSeconds: param('alarmCheckpointLagSeconds', 3600),
    backlogAgeSeconds: param('alarmBacklogAgeSeconds', 3600),
    pollPeriodSeconds: Object.fromEntries(
      Object.entries(entities).map(([entity, options]) => [
        entity,
        Math.max(60, schedulePeriodSeconds((options as { pollRate?: string } | null)?.pollRate ?? pollRate)),
      ]),
    ),
  };
}
