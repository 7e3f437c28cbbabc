import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadCommonConfig, requireString } from '../../lib/config';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';

const config = { ...loadCommonConfig(process.env), alertTopicArn: requireString(process.env, 'CDC_ALERT_TOPIC_ARN') };
const log = createLogger({ function: 'retry', stage: config.stage });

/** Two triggers: the fallback table's stream, and a scheduled sweep sending `{ "sweep": true }`. */
export type RetryEvent = DynamoDBStreamEvent | { sweep: true };

async function retryParked(event: RetryEvent, context: Context): Promise<DynamoDBBatchResponse> {
  const trigger = 'Records' in event ? 'stream' : 'sweep';
  const records = 'Records' in event ? event.Records.length : 0;
  // Stub until the retry issue: acknowledges everything, retries nothing.
  log.info('retry (stub)', { runId: context.awsRequestId, trigger, records, table: config.fallbackTable });
  return { batchItemFailures: [] };
}

export const handler = middy<RetryEvent, DynamoDBBatchResponse, Error, Context>(retryParked).use(invocationSummary(log));
