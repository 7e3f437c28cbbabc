import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbCheckpointStore } from '../../lib/checkpoint';
import { topicFor } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { awsClients } from '../../lib/lambda/aws-clients';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';
import { type PollSummary, pollEntity } from '../../lib/poller';
import { KafkaPublisher } from '../../lib/publish';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { HttpSource, ssmToken, staticToken } from '../../lib/source';
import { loadPollerConfig } from './config';

// Cold start: configuration validated, clients and the producer created once per container.
const config = loadPollerConfig(process.env);
const log = createLogger({ function: 'poller', stage: config.stage });
const clients = awsClients();
const publisher = new KafkaPublisher({ brokers: config.kafkaBrokers, auth: config.kafkaAuth, clientId: `cdc-poller-${config.stage}` });
const schemas = new SchemaCache(new GlueSchemaRegistry(clients.glue, config.schemaRegistry), { latestTtlMs: 5 * 60_000, maxEntries: 200, log });
const deps = {
  source: new HttpSource({
    baseUrl: config.sourceUrl,
    mappingOf: (entity: string) => {
      const mapping = config.mappings.get(entity);
      if (mapping === undefined) throw new BadRequestError(`no response mapping for entity ${entity}`);
      return mapping;
    },
    token: config.token === undefined ? staticToken(undefined) : 'value' in config.token ? staticToken(config.token.value) : ssmToken(clients.ssm, config.token.parameter),
    pageLimit: config.pageLimit,
    requestTimeoutMs: config.requestTimeoutMs,
    maxResponseBytes: 20 * 1024 * 1024,
    retry: { retries: 6, initialDelayMs: 200, maxDelayMs: 20_000 },
  }),
  checkpoints: new DynamoDbCheckpointStore(clients.dynamodb, config.checkpointTable),
  fallback: new DynamoDbFallbackStore(clients.dynamodb, clients.s3, { tableName: config.fallbackTable, payloadBucket: config.rawBucket }),
  publisher,
  serde: new GlueAvroSerde(schemas),
  log,
};

/**
 * The entity's lease outlives the invocation by this much: Lambda has ended the run by its
 * deadline, and another container's clock a little ahead cannot take the lease early.
 */
const LEASE_MARGIN_MS = 5000;

/** The EventBridge rule of each entity sends `{ "entity": "<name>" }` as its input. */
export interface PollerEvent {
  entity?: unknown;
}

async function pollOneEntity(event: PollerEvent, context: Context): Promise<PollSummary> {
  const entity = event?.entity;
  const options = typeof entity === 'string' ? config.entities.get(entity) : undefined;
  if (typeof entity !== 'string' || options === undefined) {
    throw new BadRequestError(`poller event must carry "entity", one of: ${[...config.entities.keys()].join(', ')}`);
  }
  // Stop fetching with enough time left to flush, park and checkpoint what was fetched.
  const reserveMs = Math.min(60_000, Math.max(5_000, context.getRemainingTimeInMillis() * 0.2));
  const summary = await pollEntity({ ...deps, log: log.child({ entity, runId: context.awsRequestId }) }, {
    entity, topic: topicFor(config, entity), schemaName: topicFor(config, entity), compression: options.compression,
    runId: context.awsRequestId, leaseMs: context.getRemainingTimeInMillis() + LEASE_MARGIN_MS, limits: { maxPages: 10_000, maxConsecutiveEmptyPages: 5 },
    outOfTime: () => context.getRemainingTimeInMillis() < reserveMs,
  }).finally(async () => {
    // Lambda freezes the container between invocations, so the producer is kept. `sls invoke
    // local` instead waits for Node's event loop to empty: on stage local, close it.
    if (config.stage === 'local') await publisher.close();
  });
  log.info('poll finished', { runId: context.awsRequestId, ...summary });
  return summary;
}

export const handler = middy<PollerEvent, PollSummary, Error, Context>(pollOneEntity).use(invocationSummary(log));
