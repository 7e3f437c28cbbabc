import middy from '@middy/core';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { S3RawStore } from '../../lib/consumer';
import { BadRequestError } from '../../lib/errors';
import { awsClients } from '../../lib/lambda/aws-clients';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';
import { KafkaPublisher } from '../../lib/publish';
import { DynamoDbRedriveStore, lambdaSweepChain, onStream, SnsAlerts, sweep, type SweepEvent } from '../../lib/redrive';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { loadRetryConfig, redrivePolicyOf } from './config';

// Cold start: configuration validated, clients and the producer created once per container.
const config = loadRetryConfig(process.env);
const log = createLogger({ function: 'retry', stage: config.stage });
const clients = awsClients();
const publisher = new KafkaPublisher({ brokers: config.kafkaBrokers, auth: config.kafkaAuth, clientId: `cdc-retry-${config.stage}` });
const store = new DynamoDbRedriveStore(clients.dynamodb, clients.s3, config.fallbackTable);
// "Latest" is trusted for a minute only (CDC_SCHEMA_LATEST_TTL_SECONDS): a fixed schema is picked up by the next sweep.
const serde = new GlueAvroSerde(new SchemaCache(new GlueSchemaRegistry(clients.glue, config.schemaRegistry), { latestTtlMs: config.schemaLatestTtlMs, maxEntries: 200, log }));
const archive = new S3RawStore(clients.s3, config.archiveBucket);
const alerts = new SnsAlerts(new SNSClient({}), config.alertTopicArn);
const policy = redrivePolicyOf(config);
const lambda = new LambdaClient({});
/** What a sweep leaves of its time for archiving, alerting and starting the next sweep. */
const SWEEP_RESERVE_MS = 30_000;

/**
 * Two triggers: the fallback table's stream, and a sweep sending `{ "sweep": true }` (from the
 * schedule; `"chain": n` when started by the sweep before it).
 */
export type RetryEvent = DynamoDBStreamEvent | SweepEvent;

function sweepEventOf(event: unknown): SweepEvent {
  const { sweep: isSweep, chain } = (event ?? {}) as Record<string, unknown>;
  if (isSweep !== true) throw new BadRequestError('retry expects a DynamoDB stream event or {"sweep": true}');
  if (chain !== undefined && !(Number.isInteger(chain) && (chain as number) >= 0)) throw new BadRequestError(`retry: "chain" must be a whole number ≥ 0, got ${JSON.stringify(chain)}`);
  return chain === undefined ? { sweep: true } : { sweep: true, chain: chain as number };
}

async function retryParked(event: RetryEvent, context: Context): Promise<DynamoDBBatchResponse> {
  const deps = { store, publisher, serde, log: log.child({ runId: context.awsRequestId }), now: () => new Date(), owner: context.awsRequestId };
  try {
    if ('Records' in event && Array.isArray(event.Records)) {
      const { summary, failures } = await onStream(event.Records, deps, policy);
      log.info('stream batch handled', { runId: context.awsRequestId, records: event.Records.length, ...summary, failures: failures.length });
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    const sweepEvent = sweepEventOf(event);
    // Stage local has no Lambda service to invoke: its schedule starts the next sweep.
    const chain = config.stage === 'local' ? undefined : lambdaSweepChain(lambda, context.functionName, sweepEvent, config.sweepChainMax);
    const budget = { timeLeftMs: () => context.getRemainingTimeInMillis(), reserveMs: Math.min(SWEEP_RESERVE_MS, context.getRemainingTimeInMillis() / 3) };
    const summary = await sweep({ ...deps, archive, alerts, stage: config.stage, budget, ...(chain === undefined ? {} : { chain }) }, policy);
    log.info('sweep finished', { runId: context.awsRequestId, chain: sweepEvent.chain ?? 0, ...summary });
    // The other keys were drained; the invocation still fails, so the Errors metric shows it.
    if (summary.keyFailures > 0) throw new Error(`the sweep could not drain ${summary.keyFailures} key(s); first: ${summary.keyError}`);
    return { batchItemFailures: [] };
  } finally {
    // `sls invoke local` waits for the event loop to empty: on stage local, close the producer.
    if (config.stage === 'local') await publisher.close();
  }
}

export const handler = middy<RetryEvent, DynamoDBBatchResponse, Error, Context>(retryParked).use(invocationSummary(log));
