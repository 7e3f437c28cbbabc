import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadCommonConfig, requireUrl } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';

// Cold start: a bad setting fails here, naming it, before any event is touched.
const config = { ...loadCommonConfig(process.env), sourceUrl: requireUrl(process.env, 'CDC_SOURCE_URL') };
const log = createLogger({ function: 'poller', stage: config.stage });

/** The EventBridge rule of each entity sends `{ "entity": "<name>" }` as its input. */
export interface PollerEvent {
  entity?: unknown;
}

export interface PollerResult {
  entity: string;
  published: number;
  parked: number;
}

async function pollEntity(event: PollerEvent, context: Context): Promise<PollerResult> {
  const entity = event.entity;
  if (typeof entity !== 'string' || !config.entities.has(entity)) {
    throw new BadRequestError(`poller event must carry "entity", one of: ${[...config.entities.keys()].join(', ')}`);
  }
  // Stub until the poller issue: reports what it would poll.
  log.info('poll (stub)', { entity, runId: context.awsRequestId, source: config.sourceUrl.origin });
  return { entity, published: 0, parked: 0 };
}

export const handler = middy<PollerEvent, PollerResult, Error, Context>(pollEntity).use(invocationSummary(log));
