import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { BadRequestError } from '../../lib/errors';
import { type LaunchedRun, launchJobs } from '../../lib/jobs';
import { invocationFields, invocationSummary } from '../../lib/lambda/summary';
import { EmfMetricsSink, jobMetrics } from '../../lib/metrics';
import { loadJobLauncherConfig } from './config';
import { wire } from './wiring';

// Cold start: configuration validated once per container; the runner is made on first use.
const config = loadJobLauncherConfig(process.env);
const { log, runner, settings } = wire(config);
const metrics = new EmfMetricsSink('jobLauncher');

/** Scheduled with `{ "mode": "batch" }`; invoked directly with a mode and optional entities. */
export interface LaunchEvent {
  mode?: unknown;
  entities?: unknown;
}

export interface LaunchResult {
  mode: 'batch' | 'streaming';
  runs: LaunchedRun[];
}

/**
 * The Spark runs that ended FAILED since the launcher's run before (one schedule period): each
 * becomes a JobRunsFailed point, which the stage's alarm watches. Not reading them fails nothing.
 */
async function failedRuns(): Promise<{ name: string; jobRunId: string }[]> {
  try {
    const failed = await runner().failedSince(new Date(Date.now() - config.schedulePeriodMs));
    for (const run of failed) log.warn('a Spark run failed', { name: run.name, jobRunId: run.jobRunId });
    return failed;
  } catch (error) {
    log.warn('could not read which Spark runs failed; the next run reads again', { error });
    return [];
  }
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
  const failed = await failedRuns();
  const runs = await launchJobs(
    { mode, entities: entities as string[], grouping: config.grouping },
    runner(),
    settings,
    log.child(invocationFields(context)),
  ).catch((error: unknown) => {
    metrics.emit(jobMetrics(config.stage, 'failed', failed));
    throw error;
  });
  metrics.emit(jobMetrics(config.stage, runs, failed));
  return { mode, runs };
}

export const handler = middy<LaunchEvent, LaunchResult, Error, Context>(launch).use(invocationSummary(log));
