import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { topicFor } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { closeForLocal } from '../../lib/lambda/producer';
import { invocationFields, invocationSummary } from '../../lib/lambda/summary';
import { pollerMetrics } from '../../lib/metrics';
import { type BackfillCount, countWindow, parseBackfill, type PollSummary, pollEntity } from '../../lib/poller';
import { loadPollerConfig } from './config';
import { wire } from './wiring';

// Cold start: configuration validated, clients and the producer created once per container.
const config = loadPollerConfig(process.env);
const deps = wire(config);
const { log, publisher, metrics, sourceErrors } = deps;

/**
 * The entity's lease outlives the invocation by this much: Lambda has ended the run by its
 * deadline, and another container's clock a little ahead cannot take the lease early.
 */
const LEASE_MARGIN_MS = 5000;

/**
 * The EventBridge rule of each entity sends `{ "entity": "<name>" }` as its input. An operator's
 * bounded backfill (`npm run replay -- --from T --to T2`) adds `"backfill": {"from", "to", "dryRun"?}`.
 */
export interface PollerEvent {
  entity?: unknown;
  backfill?: unknown;
}

async function pollOneEntity(event: PollerEvent, context: Context): Promise<PollSummary | BackfillCount> {
  const entity = event?.entity;
  const options = typeof entity === 'string' ? config.entities.get(entity) : undefined;
  if (typeof entity !== 'string' || options === undefined) {
    throw new BadRequestError(`poller event must carry "entity", one of: ${[...config.entities.keys()].join(', ')}`);
  }
  // Stop fetching with enough time left to flush, park and checkpoint what was fetched.
  const reserveMs = Math.min(60_000, Math.max(5_000, context.getRemainingTimeInMillis() * 0.2));
  const backfill = event.backfill === undefined ? undefined : parseBackfill(event.backfill, new Date());
  // A backfill holds the entity's lease too: it stops after a short slice, so the live polling goes on between slices.
  const sliceEnds = Date.now() + (backfill === undefined ? Number.POSITIVE_INFINITY : config.backfillSliceMs);
  const outOfTime = () => context.getRemainingTimeInMillis() < reserveMs || Date.now() > sliceEnds;
  sourceErrors.take(); // what an earlier invocation (a dry run) left is not this run's
  if (backfill?.dryRun)
    return countWindow(
      deps.source,
      entity,
      { from: backfill.from, to: backfill.to },
      { ...config.pollLimits, shouldStop: outOfTime },
    );
  const run = pollEntity(
    { ...deps, log: log.child({ ...invocationFields(context), entity }) },
    {
      entity,
      topic: topicFor(config, entity),
      schemaName: topicFor(config, entity),
      compression: options.compression,
      runId: context.awsRequestId,
      leaseMs: context.getRemainingTimeInMillis() + LEASE_MARGIN_MS,
      limits: config.pollLimits,
      lookbackMs: config.lookbackMs.get(entity) ?? 0,
      outOfTime,
      ...(backfill === undefined ? {} : { backfill: { from: backfill.from, to: backfill.to } }),
    },
  );
  // Metrics of every run, a failed one too (its outcome is the alarm's signal).
  const emit = (summary?: PollSummary): void =>
    metrics.emit(
      pollerMetrics({ stage: config.stage, entity, summary, sourceErrors: sourceErrors.take(), now: new Date() }),
    );
  return run
    .then(
      (summary) => (emit(summary), summary),
      (error: unknown) => {
        emit();
        throw error;
      },
    )
    .finally(() => closeForLocal(config.stage, publisher));
}

// The summary line (lib/lambda/summary.ts) carries the PollSummary this returns.
export const handler = middy<PollerEvent, PollSummary | BackfillCount, Error, Context>(pollOneEntity).use(
  invocationSummary(log),
);
