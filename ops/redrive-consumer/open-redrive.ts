import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { consumeBatch, S3RawStore } from '../../lib/consumer';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { localClientConfig } from '../../stage/local-aws';
import { S3StaleArchive } from '../archive/s3-stale-archive';
import type { OpsStage } from '../stage/ops-stage';
import { readS3Text } from '../stage/s3-text';
import type { ConsumerRedriveDependencies } from './apply';
import { S3FailedBatches } from './failed-batches';
import type { ConsumerRedriveSources } from './plan';

export interface ConsumerRedriveAdapters {
  readonly sources: ConsumerRedriveSources;
  readonly deps: (operator: string) => ConsumerRedriveDependencies;
  close(): void;
}

/** The stage's fallback table, raw bucket and Glue registry behind the redrive's ports; the consumer's core over them. */
export function openConsumerRedrive(stage: OpsStage): ConsumerRedriveAdapters {
  const base = stage.local ? localClientConfig() : { region: stage.region };
  const dynamodb = new DynamoDBClient(base);
  const s3 = new S3Client({ ...base, forcePathStyle: stage.local });
  const glue = new GlueClient(base);
  const serde = new GlueAvroSerde(
    new SchemaCache(new GlueSchemaRegistry(glue, stage.schemaRegistry), { latestTtlMs: 60_000, maxEntries: 200 }),
  );
  // The fallback table in both of the redrive's roles: the consumer's items it claims, and where the consumer parks again.
  const parked = new DynamoDbFallbackStore(dynamodb, s3, {
    tableName: stage.fallbackTable,
    payloadBucket: stage.rawBucket,
  });
  const failedBatches = new S3FailedBatches(s3, stage.rawBucket);
  const archive = new S3StaleArchive(s3, stage.archiveBucket);
  const consumerDeps = {
    serde,
    raw: new S3RawStore(s3, stage.rawBucket),
    // The records it writes are below the partitions' marks on purpose (dead letters, batches given up on).
    marks: null,
    log: createLogger({ command: 'redrive-consumer', stage: stage.stage }),
    fallback: parked,
  };
  const entityOf = (topic: string): string | undefined =>
    stage.entities.find((e) => `${stage.topicPrefix}.${e}` === topic);
  return {
    sources: {
      parked,
      archive,
      failedBatches,
      serde,
      deadLetters: { read: (bucket, key) => readS3Text(s3, bucket, key) },
    },
    // One ask of Glue per version: the plan has just seen it exist.
    deps: (operator) => ({
      parked,
      archive,
      failedBatches,
      operator,
      now: () => new Date(),
      consume: (event) => consumeBatch(event, consumerDeps, { entityOf, gzip: stage.rawGzip, decodeAttempts: 1 }),
    }),
    close: () => {
      for (const client of [dynamodb, s3, glue]) client.destroy();
    },
  };
}
