import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { loadCommonConfig } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';

const config = loadCommonConfig(process.env);
const log = createLogger({ function: 'consumer', stage: config.stage });

export interface ConsumerResult {
  records: number;
  partitions: number;
}

async function consumeBatch(event: MSKEvent, context: Context): Promise<ConsumerResult> {
  if (event?.eventSource !== 'aws:kafka' || typeof event.records !== 'object' || event.records === null) {
    throw new BadRequestError('consumer expects an MSK event (eventSource "aws:kafka" with records)');
  }
  const partitions = Object.values(event.records);
  const records = partitions.reduce((n, batch) => n + batch.length, 0);
  // Stub until the consumer issue: counts what it would decode and write.
  log.info('batch (stub)', { runId: context.awsRequestId, records, partitions: partitions.length, bucket: config.rawBucket });
  return { records, partitions: partitions.length };
}

export const handler = middy<MSKEvent, ConsumerResult, Error, Context>(consumeBatch).use(invocationSummary(log));
