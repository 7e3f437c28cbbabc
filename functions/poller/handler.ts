import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { topicFor } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { closeForLocal } from '../../lib/lambda/producer';
import { invocationSummary } from '../../lib/lambda/summary';
import { type PollSummary, pollEntity } from '../../lib/poller';
import { loadPollerConfig } from './config';
import { wire } from './wiring';

// Cold start: configuration validated, clients and the producer created once per container.
const config = loadPollerConfig(process.env);
const deps = wire(config);
const { log, publisher } = deps;

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
  return pollEntity(
    { ...deps, log: log.child({ entity, runId: context.awsRequestId }) },
    {
      entity,
      topic: topicFor(config, entity),
      schemaName: topicFor(config, entity),
      compression: options.compression,
      runId: context.awsRequestId,
      leaseMs: context.getRemainingTimeInMillis() + LEASE_MARGIN_MS,
      limits: config.pollLimits,
      lookbackMs: config.lookbackMs.get(entity) ?? 0,
      outOfTime: () => context.getRemainingTimeInMillis() < reserveMs,
    },
  ).finally(() => closeForLocal(config.stage, publisher));
}

// The summary line (lib/lambda/summary.ts) carries the PollSummary this returns.
export const handler = middy<PollerEvent, PollSummary, Error, Context>(pollOneEntity).use(invocationSummary(log));
