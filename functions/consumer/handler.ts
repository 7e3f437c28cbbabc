import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { type ConsumeSummary, consumeBatch, S3RawStore } from '../../lib/consumer';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { awsClients } from '../../lib/lambda/aws-clients';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { entityOfTopic, loadConsumerConfig } from './config';

// Cold start: configuration validated, clients and the schema cache created once per container.
const config = loadConsumerConfig(process.env);
const log = createLogger({ function: 'consumer', stage: config.stage });
const clients = awsClients();
const deps = {
  serde: new GlueAvroSerde(new SchemaCache(new GlueSchemaRegistry(clients.glue, config.schemaRegistry), { latestTtlMs: 5 * 60_000, maxEntries: 200, log })),
  raw: new S3RawStore(clients.s3, config.rawBucket),
  fallback: new DynamoDbFallbackStore(clients.dynamodb, clients.s3, { tableName: config.fallbackTable, payloadBucket: config.rawBucket }),
  log,
};
const options = { entityOf: entityOfTopic(config), gzip: config.gzip, decodeAttempts: config.decodeAttempts };

/**
 * The MSK trigger's batch → one raw object per topic-partition. Throwing (S3 or Glue down) makes
 * Lambda redeliver the same batch, which overwrites the same objects.
 */
async function consume(event: MSKEvent, context: Context): Promise<ConsumeSummary> {
  const summary = await consumeBatch(event, { ...deps, log: log.child({ runId: context.awsRequestId }) }, options);
  log.info('batch written', { runId: context.awsRequestId, ...summary });
  return summary;
}

export const handler = middy<MSKEvent, ConsumeSummary, Error, Context>(consume).use(invocationSummary(log));
