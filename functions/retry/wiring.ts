import { DynamoDbFallbackStore, S3StaleArchiveWriter } from '../../lib/fallback';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueClient } from '@aws-sdk/client-glue';
import { SNSClient } from '@aws-sdk/client-sns';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { type AwsClients, awsClients, type ClientFactories } from '../../lib/lambda/aws-clients';
import { kafkaPublisherFor } from '../../lib/lambda/producer';
import { glueSerdeFor } from '../../lib/lambda/serde';
import { createLogger } from '../../lib/log';
import {
  type Backlog,
  type DrainSummary,
  lambdaSweepChain,
  SnsAlerts,
  type SweepEvent,
  type SweepSummary,
} from '../../lib/redrive';
import { type RetryConfig, redrivePolicyOf } from './config';

/** What one retry invocation did, as its summary line reports it. */

/** The AWS clients this function uses, and only those (each package loads at cold start). */
const RETRY_CLIENTS: ClientFactories = {
  dynamodb: () => new DynamoDBClient({}),
  s3: (o) => new S3Client(o),
  glue: () => new GlueClient({}),
  sns: () => new SNSClient({}),
  lambda: () => new LambdaClient({}),
};

export type RetrySummary =
  | ({ trigger: 'stream'; records: number; failures: number } & DrainSummary)
  | ({ trigger: 'sweep'; chain: number; backlog?: Backlog } & SweepSummary);

/** From the retry function's configuration to its dependencies: called once, at cold start. */
export function wire(config: RetryConfig, clients: AwsClients = awsClients(RETRY_CLIENTS)) {
  const log = createLogger({ function: 'retry', stage: config.stage });

  // The fallback table and the stale archive: the stores this function reads and writes.
  // It parks nothing new, so it needs no payload bucket: an item's large payload is read where the item points.
  const store = new DynamoDbFallbackStore(clients.dynamodb, clients.s3, { tableName: config.fallbackTable });
  const archive = new S3StaleArchiveWriter(clients.s3, config.archiveBucket);

  return {
    log,
    store,
    archive,
    publisher: kafkaPublisherFor(config, 'retry'),
    // "Latest" is trusted for a minute only (CDC_SCHEMA_LATEST_TTL_SECONDS): a fixed schema is picked up by the next sweep.
    serde: glueSerdeFor(clients.glue, config.schemaRegistry, log, { latestTtlMs: config.schemaLatestTtlMs }),
    alerts: new SnsAlerts(clients.sns, config.alertTopicArn),
    policy: redrivePolicyOf(config),
    /** How a sweep starts the next one; stage local has no Lambda service to invoke: its schedule starts the next sweep. */
    chainOf: (functionName: string, event: SweepEvent) =>
      config.stage === 'local'
        ? undefined
        : lambdaSweepChain(clients.lambda, functionName, event, config.sweepChainMax),
  };
}
