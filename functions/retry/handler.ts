import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { BadRequestError } from '../../lib/errors';
import { closeForLocal } from '../../lib/lambda/producer';
import { invocationFields, invocationSummary, recordSummary } from '../../lib/lambda/summary';
import { EmfMetricsSink, retryMetrics } from '../../lib/metrics';
import { AcknowledgedLedger, type Backlog, backlogOf, onStream, sweep, type SweepEvent } from '../../lib/redrive';
import { loadRetryConfig } from './config';
import { type RetrySummary, wire } from './wiring';

// Cold start: configuration validated, clients and the producer created once per container.
const config = loadRetryConfig(process.env);
const { log, store, archive, publisher, serde, alerts, policy, chainOf } = wire(config);
const metrics = new EmfMetricsSink('retry');
/** Sent, acknowledged, delete not confirmed: kept across this container's invocations (lib/redrive/acknowledged.ts). */
const acknowledged = new AcknowledgedLedger();
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
  if (chain !== undefined && !(Number.isInteger(chain) && (chain as number) >= 0))
    throw new BadRequestError(`retry: "chain" must be a whole number ≥ 0, got ${JSON.stringify(chain)}`);
  return chain === undefined ? { sweep: true } : { sweep: true, chain: chain as number };
}

/** The summary line (lib/lambda/summary.ts) carries the RetrySummary recorded here, not the stream's answer. */
async function retryParked(event: RetryEvent, context: Context): Promise<DynamoDBBatchResponse> {
  const deps = {
    store,
    publisher,
    serde,
    log: log.child(invocationFields(context)),
    now: () => new Date(),
    owner: context.awsRequestId,
    acknowledged,
  };
  const report = (summary: RetrySummary): void => recordSummary(context, summary);
  try {
    if ('Records' in event && Array.isArray(event.Records)) {
      const { summary, failures } = await onStream(event.Records, deps, policy);
      metrics.emit(retryMetrics({ stage: config.stage, ...summary, now: new Date() }));
      report({ trigger: 'stream', records: event.Records.length, ...summary, failures: failures.length });
      return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    const sweepEvent = sweepEventOf(event);
    const chain = chainOf(context.functionName, sweepEvent);
    const budget = {
      timeLeftMs: () => context.getRemainingTimeInMillis(),
      reserveMs: Math.min(SWEEP_RESERVE_MS, context.getRemainingTimeInMillis() / 3),
    };
    const summary = await sweep(
      { ...deps, archive, alerts, stage: config.stage, budget, ...(chain === undefined ? {} : { chain }) },
      policy,
    );
    // The scheduled sweep (not the ones it chains) counts the backlog, once a schedule period.
    const backlog = sweepEvent.chain === undefined ? await backlogCensus() : undefined;
    metrics.emit(retryMetrics({ stage: config.stage, ...summary, backlog: backlog?.byEntity, now: new Date() }));
    report({
      trigger: 'sweep',
      chain: sweepEvent.chain ?? 0,
      ...summary,
      ...(backlog === undefined ? {} : { backlog }),
    });
    // The other keys were drained; the invocation still fails, so the Errors metric shows it.
    if (summary.keyFailures > 0)
      throw new Error(`the sweep could not drain ${summary.keyFailures} key(s); first: ${summary.keyError}`);
    return { batchItemFailures: [] };
  } finally {
    await closeForLocal(config.stage, publisher);
  }
}

/** A census that fails is logged and left out: the sweep's work is done, and the next sweep counts again. */
async function backlogCensus(): Promise<Backlog | undefined> {
  try {
    return await backlogOf(store, [...config.entities.keys()]);
  } catch (error) {
    log.error('could not count the backlog; the next scheduled sweep counts it again', { error });
    return undefined;
  }
}

export const handler = middy<RetryEvent, DynamoDBBatchResponse, Error, Context>(retryParked).use(
  invocationSummary(log),
);
