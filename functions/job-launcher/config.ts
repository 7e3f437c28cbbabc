import {
  type CommonConfig,
  ConfigError,
  loadCommonConfig,
  optionalString,
  requireInt,
  requireString,
  schedulePeriodSeconds,
} from '../../lib/config';

/** What keeps the Delta tables current: batch runs on the schedule, a supervised stream, or both. */
export type LakeMode = 'batch' | 'streaming' | 'both';

export interface JobLauncherConfig extends CommonConfig {
  readonly applicationId: string;
  readonly executionRoleArn: string;
  readonly lakeBucket: string;
  readonly artifactsBucket: string;
  /** `entity`: one job run per entity; `all`: one run for all entities. */
  readonly grouping: 'entity' | 'all';
  /** Stage local only: the module that runs jobs with spark-submit instead of EMR (local/emr). */
  readonly localRunner: string | undefined;
  /** The launcher's schedule period: each run reports the Spark runs that failed in the one before. */
  readonly schedulePeriodMs: number;
  /**
   * `batch`: a batch run per schedule period. `streaming`: one continuous stream per group, checked
   * (and started when missing) each period. `both`: the streams, and batch runs for the entities
   * whose stream is not going (a stream down between two checks is caught up by batch).
   */
  readonly lakeMode: LakeMode;
  /** The streams' micro-batch interval. */
  readonly streamTriggerSeconds: number;
  /** History VACUUM keeps, in hours (maintenance runs). */
  readonly timeTravelHours: number;
  /** The Glue Data Catalog database the jobs register the tables in; unset: none. */
  readonly catalogDatabase: string | undefined;
}

/** Read once at cold start; a bad value fails here, naming the variable. */
export function loadJobLauncherConfig(env: Readonly<Record<string, string | undefined>>): JobLauncherConfig {
  // The default lives in serverless.yml (param jobGrouping) only.
  const grouping = requireString(env, 'CDC_JOB_GROUPING');
  if (grouping !== 'entity' && grouping !== 'all')
    throw new ConfigError(
      'CDC_JOB_GROUPING',
      `must be "entity" (one run per entity) or "all" (one run for all), got "${grouping}"`,
    );
  const lakeMode = requireString(env, 'CDC_LAKE_MODE');
  if (lakeMode !== 'batch' && lakeMode !== 'streaming' && lakeMode !== 'both')
    throw new ConfigError('CDC_LAKE_MODE', `must be "batch", "streaming" or "both", got "${lakeMode}"`);
  return {
    ...loadCommonConfig(env),
    applicationId: requireString(env, 'CDC_EMR_APPLICATION_ID'),
    executionRoleArn: requireString(env, 'CDC_EMR_EXECUTION_ROLE_ARN'),
    lakeBucket: requireString(env, 'CDC_LAKE_BUCKET'),
    artifactsBucket: requireString(env, 'CDC_ARTIFACTS_BUCKET'),
    grouping,
    localRunner: optionalString(env, 'CDC_LOCAL_JOB_RUNNER'),
    schedulePeriodMs: 1000 * schedulePeriodSeconds(requireString(env, 'CDC_JOB_LAUNCH_RATE')),
    lakeMode,
    streamTriggerSeconds: requireInt(env, 'CDC_STREAM_TRIGGER_SECONDS', { min: 1, max: 3600 }),
    // Delta's own VACUUM floor is 168 h unless a table says otherwise; the job refuses less, naming it.
    timeTravelHours: requireInt(env, 'CDC_TIME_TRAVEL_HOURS', { min: 1, max: 87_600 }),
    catalogDatabase: optionalString(env, 'CDC_CATALOG_DATABASE'),
  };
}
