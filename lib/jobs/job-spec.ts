/**
 * `batch`: one run over the raw objects not applied yet. `streaming`: the same as a Structured
 * Streaming query that drains what is there and stops (available-now). `continuous`: the
 * long-running stream the launcher supervises (EMR Serverless STREAMING mode, a micro-batch every
 * trigger interval), started when missing and restarted by EMR on failure. `maintenance`:
 * OPTIMIZE, then VACUUM keeping the time-travel window, on each table and its processed-files log.
 */
export type JobMode = 'batch' | 'streaming' | 'continuous' | 'maintenance';

/** What to run: one spark-submit of glue-jobs/entrypoint.py, as EMR Serverless takes it. */
export interface JobSpec {
  /** Also the key for "is one already running": `cdc-<mode>-<entities>`. */
  readonly name: string;
  readonly mode: JobMode;
  readonly entities: readonly string[];
  readonly entryPoint: string;
  readonly entryPointArguments: string[];
  readonly sparkSubmitParameters: string;
  readonly logUri: string;
  readonly tags: Record<string, string>;
  /** EMR Serverless's run mode: STREAMING for `continuous` (no 12-hour timeout; restarted on failure). */
  readonly runMode: 'BATCH' | 'STREAMING';
  /** A STREAMING run's failed attempts EMR restarts within an hour before it gives the run up (FAILED). */
  readonly maxFailedAttemptsPerHour?: number;
}

export interface JobSettings {
  readonly stage: string;
  readonly rawBucket: string;
  readonly lakeBucket: string;
  readonly artifactsBucket: string;
  readonly schemaRegistry: string;
  readonly topicPrefix: string;
  /** A `continuous` run's micro-batch interval (param streamTriggerSeconds). */
  readonly streamTriggerSeconds?: number;
  /** How much history VACUUM keeps for time travel (param lakeTimeTravelHours); never below the tables' own retention. */
  readonly timeTravelHours?: number;
  /** The Glue Data Catalog database every run registers its tables in, for Athena; absent: none. */
  readonly catalogDatabase?: string;
}

/** How often EMR restarts a failing stream within an hour; past it the run ends FAILED and the launcher's next run starts a new one. */
export const STREAM_MAX_FAILED_ATTEMPTS_PER_HOUR = 5;
const DEFAULT_STREAM_TRIGGER_SECONDS = 30;

const RUN_NAME = /^cdc-(?:batch|streaming|continuous|maintenance)-(.+)$/;

/** The entities a run applies, read back from its name (`jobSpec`'s); undefined for a run the launcher did not name. */
export function entitiesOfRun(name: string): string[] | undefined {
  return RUN_NAME.exec(name)?.[1]?.split('+');
}

/** Where `npm run jobs:upload` puts the job code in the artifacts bucket. */
export const JOB_ARTIFACTS = { entryPoint: 'jobs/entrypoint.py', pyFiles: 'jobs/cdc_jobs.zip' } as const;

/**
 * EMR Serverless 7.x ships Delta under /usr/share/aws/delta/lib; the session settings turn it on.
 * The local stand-in runs the same entry point with the same arguments, swapping only where
 * the jars come from (see local/emr).
 */
export function jobSpec(mode: JobMode, entities: readonly string[], settings: JobSettings): JobSpec {
  const name = `cdc-${mode}-${entities.join('+')}`;
  const conf = {
    'spark.jars': '/usr/share/aws/delta/lib/delta-spark.jar,/usr/share/aws/delta/lib/delta-storage.jar',
    'spark.sql.extensions': 'io.delta.sql.DeltaSparkSessionExtension',
    'spark.sql.catalog.spark_catalog': 'org.apache.spark.sql.delta.catalog.DeltaCatalog',
    'spark.sql.session.timeZone': 'UTC',
  };
  return {
    name,
    mode,
    entities,
    entryPoint: `s3://${settings.artifactsBucket}/${JOB_ARTIFACTS.entryPoint}`,
    entryPointArguments: [
      '--mode',
      // The job itself knows two modes: a continuous run is its streaming mode with that trigger.
      mode === 'continuous' ? 'streaming' : mode,
      '--entity',
      entities.join(','),
      '--raw-root',
      `s3://${settings.rawBucket}`,
      '--lake-root',
      `s3://${settings.lakeBucket}/delta`,
      '--registry',
      settings.schemaRegistry,
      '--schema-prefix',
      settings.topicPrefix,
      ...triggerArguments(mode, settings),
      ...(mode === 'maintenance' ? ['--time-travel-hours', String(settings.timeTravelHours ?? 168)] : []),
      ...(settings.catalogDatabase === undefined ? [] : ['--catalog-database', settings.catalogDatabase]),
    ],
    sparkSubmitParameters: [
      `--py-files s3://${settings.artifactsBucket}/${JOB_ARTIFACTS.pyFiles}`,
      ...Object.entries(conf).map(([k, v]) => `--conf ${k}=${v}`),
    ].join(' '),
    logUri: `s3://${settings.artifactsBucket}/logs/`,
    tags: { project: 'cdc-pipeline', stage: settings.stage, mode, entities: entities.join('+') },
    ...(mode === 'continuous'
      ? { runMode: 'STREAMING', maxFailedAttemptsPerHour: STREAM_MAX_FAILED_ATTEMPTS_PER_HOUR }
      : { runMode: 'BATCH' }),
  };
}

function triggerArguments(mode: JobMode, settings: JobSettings): string[] {
  if (mode === 'batch' || mode === 'maintenance') return [];
  if (mode === 'streaming') return ['--trigger', 'available-now'];
  const seconds = settings.streamTriggerSeconds ?? DEFAULT_STREAM_TRIGGER_SECONDS;
  return ['--trigger', 'continuous', '--trigger-seconds', String(seconds)];
}
