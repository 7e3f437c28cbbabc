import {
  type CommonConfig,
  ConfigError,
  loadCommonConfig,
  optionalString,
  requireString,
  schedulePeriodSeconds,
} from '../../lib/config';

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
  return {
    ...loadCommonConfig(env),
    applicationId: requireString(env, 'CDC_EMR_APPLICATION_ID'),
    executionRoleArn: requireString(env, 'CDC_EMR_EXECUTION_ROLE_ARN'),
    lakeBucket: requireString(env, 'CDC_LAKE_BUCKET'),
    artifactsBucket: requireString(env, 'CDC_ARTIFACTS_BUCKET'),
    grouping,
    localRunner: optionalString(env, 'CDC_LOCAL_JOB_RUNNER'),
    schedulePeriodMs: 1000 * schedulePeriodSeconds(requireString(env, 'CDC_JOB_LAUNCH_RATE')),
  };
}
