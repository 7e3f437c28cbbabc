/** What to run: one spark-submit of glue-jobs/entrypoint.py, as EMR Serverless takes it. */
export interface JobSpec {
  /** Also the key for "is one already running": `cdc-<mode>-<entities>`. */
  readonly name: string;
  readonly mode: 'batch' | 'streaming';
  readonly entities: readonly string[];
  readonly entryPoint: string;
  readonly entryPointArguments: string[];
  readonly sparkSubmitParameters: string;
  readonly logUri: string;
  readonly tags: Record<string, string>;
}

export interface JobSettings {
  readonly stage: string;
  readonly rawBucket: string;
  readonly lakeBucket: string;
  readonly artifactsBucket: string;
  readonly schemaRegistry: string;
  readonly topicPrefix: string;
}

const RUN_NAME = /^cdc-(?:batch|streaming)-(.+)$/;

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
export function jobSpec(mode: 'batch' | 'streaming', entities: readonly string[], settings: JobSettings): JobSpec {
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
      mode,
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
      ...(mode === 'streaming' ? ['--trigger', 'available-now'] : []),
    ],
    sparkSubmitParameters: [
      `--py-files s3://${settings.artifactsBucket}/${JOB_ARTIFACTS.pyFiles}`,
      ...Object.entries(conf).map(([k, v]) => `--conf ${k}=${v}`),
    ].join(' '),
    logUri: `s3://${settings.artifactsBucket}/logs/`,
    tags: { project: 'cdc-pipeline', stage: settings.stage, mode, entities: entities.join('+') },
  };
}
