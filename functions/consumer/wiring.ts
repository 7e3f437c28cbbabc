import { type ConsumeDependencies, type ConsumeOptions, DynamoDbPartitionMarks, S3RawStore } from '../../lib/consumer';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueClient } from '@aws-sdk/client-glue';
import { type AwsClients, awsClients, type ClientFactories } from '../../lib/lambda/aws-clients';
import { glueSerdeFor } from '../../lib/lambda/serde';
import { createLogger } from '../../lib/log';
import { type ConsumerConfig, entityOfTopic } from './config';

/** From the consumer's configuration to its dependencies and options: called once, at cold start. */

/** The AWS clients this function uses, and only those (each package loads at cold start). */
const CONSUMER_CLIENTS: ClientFactories = {
  dynamodb: () => new DynamoDBClient({}),
  s3: (o) => new S3Client(o),
  glue: () => new GlueClient({}),
};

export function wire(
  config: ConsumerConfig,
  clients: AwsClients = awsClients(CONSUMER_CLIENTS),
): { deps: ConsumeDependencies; options: ConsumeOptions } {
  const log = createLogger({ function: 'consumer', stage: config.stage });
  return {
    deps: {
      serde: glueSerdeFor(clients.glue, config.schemaRegistry, log),
      raw: new S3RawStore(clients.s3, config.rawBucket),
      marks: new DynamoDbPartitionMarks(clients.dynamodb, config.rawOffsetsTable),
      fallback: new DynamoDbFallbackStore(clients.dynamodb, clients.s3, {
        tableName: config.fallbackTable,
        payloadBucket: config.rawBucket,
      }),
      log,
    },
    options: { entityOf: entityOfTopic(config), gzip: config.gzip, decodeAttempts: config.decodeAttempts },
  };
}
