import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type CheckpointStore, openCheckpointStore } from '../../lib/checkpoint';
import { DynamoDbFallbackStore, type FallbackCensus, type RestoreStore } from '../../lib/fallback';
import { localClientConfig } from '../../stage/local-aws';
import { S3StaleArchive } from '../archive/s3-stale-archive';
import type { StaleArchive } from '../archive/stale-archive';
import { type FailedBatches, S3FailedBatches } from '../redrive-consumer/failed-batches';
import { LambdaPollerInvoker, type PollerInvoker, SlsInvokeLocalPoller } from '../replay/poller-invoker';
import { CloudWatchMetricHistory } from '../status/cloudwatch-metrics';
import type { MetricHistory } from '../status/health';
import { EmrServerlessJobRuns } from '../status/job-runs';
import { readMetricRecords } from '../../stage/local-metrics';
import { LocalJobRuns } from '../status/local-job-runs';
import type { JobRunHistory } from '../status/ports';
import { type OpsStage, resolveStage, type ResolveStageOptions } from './ops-stage';

/** One stage's stores behind the operator commands' ports. */
export interface StageAdapters {
  readonly stage: OpsStage;
  readonly checkpoints: CheckpointStore;
  readonly fallback: FallbackCensus;
  readonly restore: RestoreStore;
  readonly archive: StaleArchive;
  readonly jobs: JobRunHistory;
  /** The consumer's MSK on-failure destination: the raw bucket (resources/entities.js). */
  readonly failedBatches: FailedBatches;
  /** The functions' metrics: CloudWatch, or on stage local the file the local runtime writes. */
  readonly metrics: MetricHistory;
  /** The stage's poller function: `sls invoke local` on stage local, the deployed function elsewhere. */
  readonly poller: PollerInvoker;
  readonly now: () => Date;
  close(): Promise<void>;
}

/**
 * Stage local: the local stack (moto, and the spark-submit stand-in's run registry). Any other
 * stage: AWS in the stage's region with the SDK's default credential chain (environment,
 * profile, SSO, instance role), nothing read from files of this repo.
 */
export async function openStage(stage: string | OpsStage, options: ResolveStageOptions = {}): Promise<StageAdapters> {
  const target = typeof stage === 'string' ? await resolveStage(stage, options) : stage;
  const base = target.local ? localClientConfig() : { region: target.region };
  const dynamodb = new DynamoDBClient(base);
  const s3 = new S3Client({ ...base, forcePathStyle: target.local });
  const emr = new EMRServerlessClient(base);
  const secrets = new SecretsManagerClient(base);
  const lambda = new LambdaClient(base);
  const cloudwatch = new CloudWatchClient(base);
  // With postgres on AWS, the operator's machine needs a network path to the instance (as for psql).
  const checkpoints = openCheckpointStore(target.checkpointStore, { dynamodb, secrets });
  const table = new DynamoDbFallbackStore(dynamodb, s3, {
    tableName: target.fallbackTable,
    payloadBucket: target.rawBucket,
  });
  return {
    stage: target,
    checkpoints: checkpoints.store,
    fallback: table,
    restore: table,
    archive: new S3StaleArchive(s3, target.archiveBucket),
    jobs: target.local ? new LocalJobRuns() : new EmrServerlessJobRuns(emr, target.emrApplication),
    failedBatches: new S3FailedBatches(s3, target.rawBucket),
    metrics: target.local
      ? { records: async (since) => readMetricRecords(since.getTime(), target.localMetricsFile) }
      : new CloudWatchMetricHistory(cloudwatch, target.stage, target.entities),
    poller: target.local ? new SlsInvokeLocalPoller() : new LambdaPollerInvoker(lambda, target.pollerFunction),
    now: () => new Date(),
    close: async () => {
      await checkpoints.close();
      for (const client of [dynamodb, s3, emr, secrets, lambda, cloudwatch]) client.destroy();
    },
  };
}
