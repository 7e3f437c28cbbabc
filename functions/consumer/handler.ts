import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { type ConsumeSummary, consumeBatch } from '../../lib/consumer';
import { invocationFields, invocationSummary } from '../../lib/lambda/summary';
import { consumerMetrics, EmfMetricsSink } from '../../lib/metrics';
import { loadConsumerConfig } from './config';
import { wire } from './wiring';

// Cold start: configuration validated, clients and the schema cache created once per container.
const config = loadConsumerConfig(process.env);
const { deps, options } = wire(config);
const metrics = new EmfMetricsSink('consumer');

/**
 * The MSK trigger's batch → one raw object per topic-partition. Throwing (S3 or Glue down) makes
 * Lambda redeliver the same batch, which overwrites the same objects. The summary line
 * (lib/lambda/summary.ts) carries the ConsumeSummary this returns.
 */
async function consume(event: MSKEvent, context: Context): Promise<ConsumeSummary> {
  const summary = await consumeBatch(event, { ...deps, log: deps.log.child(invocationFields(context)) }, options);
  metrics.emit(consumerMetrics({ stage: config.stage, byEntity: summary.byEntity, now: new Date() }));
  return summary;
}

export const handler = middy<MSKEvent, ConsumeSummary, Error, Context>(consume).use(invocationSummary(deps.log));
