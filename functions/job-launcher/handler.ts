import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { BadRequestError } from '../../lib/errors';
import { failedRunsToReport, type LaunchedRun, launchJobs } from '../../lib/jobs';
import { invocationFields, invocationSummary } from '../../lib/lambda/summary';
import { EmfMetricsSink, jobMetrics } from '../../lib/metrics';
import { loadJobLauncherConfig } from './config';
import { wire } from './wiring';

// Cold start: configuration validated once per container; the runner is made on first use.
const config = loadJobLauncherConfig(process.env);
const { log, runner, settings } = wire(config);
const metrics = new EmfMetricsSink('jobLauncher');

/**
 * Scheduled with `{ "mode": "batch", "scheduled": true }`; invoked directly with a mode and
 * optional entities. Only the scheduled run reports the Spark runs that failed (failedRunsToReport).
 */
export interface LaunchEvent {
  mode?: unknown;
  entities?: unknown;
  scheduled?: unknown;
}

export interface LaunchResult {
  mode: 'batch' | 'streaming';
  runs: LaunchedRun[];
}

/** The summary line (lib/lambda/summary.ts) carries the LaunchResult this returns. */
async function launch(event: LaunchEvent, context: Context): Promise<LaunchResult> {
  const mode = event?.mode ?? 'batch';
  if (mode !== 'batch' && mode !== 'streaming')
    throw new BadRequestError(`mode must be "batch" or "streaming", got ${JSON.stringify(mode)}`);
  const known = [...config.entities.keys()];
  const entities = event?.entities ?? known;
  if (
    !Array.isArray(entities) ||
    entities.length === 0 ||
    entities.some((e) => typeof e !== 'string' || !known.includes(e))
  ) {
    throw new BadRequestError(
      `entities must be a non-empty list of: ${known.join(', ')}; got ${JSON.stringify(entities)}`,
    );
  }
  const invocationLog = log.child(invocationFields(context));
  const scheduled = event?.scheduled === true;
  const failed = await failedRunsToReport(scheduled, runner(), config.schedulePeriodMs, invocationLog);
  const runs = await launchJobs(
    { mode, entities: entities as string[], grouping: config.grouping },
    runner(),
    settings,
    invocationLog,
  ).catch((error: unknown) => {
    metrics.emit(jobMetrics(config.stage, 'failed', failed));
    throw error;
  });
  metrics.emit(jobMetrics(config.stage, runs, failed));
  return { mode, runs };
}

export const handler = middy<LaunchEvent, LaunchResult, Error, Context>(launch).use(invocationSummary(log));
