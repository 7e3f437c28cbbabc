import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { loadCommonConfig, requireString } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';

const config = {
  ...loadCommonConfig(process.env),
  applicationId: requireString(process.env, 'CDC_EMR_APPLICATION_ID'),
  lakeBucket: requireString(process.env, 'CDC_LAKE_BUCKET'),
};
const log = createLogger({ function: 'jobLauncher', stage: config.stage });

/** Scheduled with `{ "mode": "batch" }`; invoked directly with a mode and optional entities. */
export interface LaunchEvent {
  mode?: unknown;
  entities?: unknown;
}

export interface LaunchResult {
  mode: 'batch' | 'streaming';
  runs: { entity: string; jobRunId: string | null }[];
}

async function launchJobs(event: LaunchEvent, context: Context): Promise<LaunchResult> {
  const mode = event.mode ?? 'batch';
  if (mode !== 'batch' && mode !== 'streaming') throw new BadRequestError(`mode must be "batch" or "streaming", got ${JSON.stringify(mode)}`);
  const entities = [...config.entities.keys()];
  // Stub until the Spark issue: starts nothing.
  log.info('launch (stub)', { runId: context.awsRequestId, mode, entities, application: config.applicationId });
  return { mode, runs: entities.map((entity) => ({ entity, jobRunId: null })) };
}

export const handler = middy<LaunchEvent, LaunchResult, Error, Context>(launchJobs).use(invocationSummary(log));
