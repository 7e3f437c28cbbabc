import { openCheckpointStore } from '../../lib/checkpoint';
import { BadRequestError } from '../../lib/errors';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueClient } from '@aws-sdk/client-glue';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type AwsClients, awsClients, type ClientFactories } from '../../lib/lambda/aws-clients';
import { kafkaPublisherFor } from '../../lib/lambda/producer';
import { glueSerdeFor } from '../../lib/lambda/serde';
import { createLogger, type Logger } from '../../lib/log';
import { EmfMetricsSink, type MetricsSink, SourceErrorTally } from '../../lib/metrics';
import type { PollDependencies } from '../../lib/poller';
import type { Publisher } from '../../lib/publish';
import { HttpSource, ssmToken, staticToken } from '../../lib/source';
import type { PollerConfig } from './config';

/** The AWS clients this function uses, and only those (each package loads at cold start). */
const POLLER_CLIENTS: ClientFactories = {
  dynamodb: () => new DynamoDBClient({}),
  s3: (o) => new S3Client(o),
  glue: () => new GlueClient({}),
  ssm: () => new SSMClient({}),
  secrets: () => new SecretsManagerClient({}),
};

export interface PollerWiring extends PollDependencies {
  readonly publisher: Publisher;
  readonly log: Logger;
  readonly metrics: MetricsSink;
  /** The source errors of the invocation in progress (see SourceErrorTally). */
  readonly sourceErrors: SourceErrorTally;
}

/** From the poller's configuration to its dependencies: called once, at cold start. */
export function wire(config: PollerConfig, clients: AwsClients = awsClients(POLLER_CLIENTS)): PollerWiring {
  const log = createLogger({ function: 'poller', stage: config.stage });
  const sourceErrors = new SourceErrorTally();
  return {
    source: new HttpSource({
      baseUrl: config.sourceUrl,
      mappingOf: (entity: string) => {
        const mapping = config.mappings.get(entity);
        if (mapping === undefined) throw new BadRequestError(`no response mapping for entity ${entity}`);
        return mapping;
      },
      token:
        config.token === undefined
          ? staticToken(undefined)
          : 'value' in config.token
            ? staticToken(config.token.value)
            : ssmToken(clients.ssm, config.token.parameter),
      pageLimit: config.pageLimit,
      requestTimeoutMs: config.requestTimeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      retry: config.sourceRetry,
      onError: (error) => sourceErrors.note(error),
    }),
    // PostgreSQL's idle connections do not hold the event loop, so `sls invoke local` exits without closing them.
    checkpoints: openCheckpointStore(config.checkpointStore, clients).store,
    fallback: new DynamoDbFallbackStore(clients.dynamodb, clients.s3, {
      tableName: config.fallbackTable,
      payloadBucket: config.rawBucket,
    }),
    publisher: kafkaPublisherFor(config, 'poller'),
    serde: glueSerdeFor(clients.glue, config.schemaRegistry, log),
    log,
    metrics: new EmfMetricsSink('poller'),
    sourceErrors,
  };
}
