import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { BadRequestError } from '../../lib/errors';
import {
  failedRunsToReport,
  type LaunchedRun,
  launchJobs,
  type SupervisedStream,
  superviseStreams,
} from '../../lib/jobs';
import { invocationFields, invocationSummary } from '../../lib/lambda/summary';
import { EmfMetricsSink, jobMetrics, streamMetrics } from '../../lib/metrics';
import { loadJobLauncherConfig } from './config';
import { wire } from './wiring';

// Cold start: configuration validated once per container; the runner is made on first use.
const config = loadJobLauncherConfig(process.env);
const { log, runner, settings, latestVersion } = wire(config);
const metrics = new EmfMetricsSink('jobLauncher');
/** What an invocation keeps of its time after waiting for a cancelled stream: the start, the batch runs, the metrics. */
const CANCEL_RESERVE_MS = 20_000;

/**
 * Scheduled with `{ "scheduled": true }`: what CDC_LAKE_MODE says (batch runs, the supervised
 * streams, or both); and with `{ "mode": "maintenance" }` on its own schedule (OPTIMIZE and
 * VACUUM). Invoked directly with a mode (`batch`, `streaming`: a stream that drains what is there
 * and stops, `continuous`: the supervised streams, `maintenance`) and optional entities. Only the
 * scheduled run reports the Spark runs that failed (failedRunsToReport).
 */
export interface LaunchEvent {
  mode?: unknown;
  entities?: unknown;
  scheduled?: unknown;
}

export interface LaunchResult {
  /** The batch or one-shot streaming runs started or found going. */
  runs: LaunchedRun[];
  /** The supervised streams, when this invocation checked them. */
  streams: SupervisedStream[];
}

const MODES = ['batch', 'streaming', 'continuous', 'maintenance'] as const;
type Mode = (typeof MODES)[number];

/** A direct mode, or the lake mode's for a scheduled run without one. */
function modesOf(event: LaunchEvent): Mode[] {
  if (event?.mode === undefined && event?.scheduled === true)
    return config.lakeMode === 'batch'
      ? ['batch']
      : config.lakeMode === 'streaming'
        ? ['continuous']
        : ['continuous', 'batch'];
  const mode = event?.mode ?? 'batch';
  if (!MODES.includes(mode as Mode))
    throw new BadRequestError(
      `mode must be "batch", "streaming", "continuous" or "maintenance", got ${JSON.stringify(mode)}`,
    );
  return [mode as Mode];
}

/** The summary line (lib/lambda/summary.ts) carries the LaunchResult this returns. */
async function launch(event: LaunchEvent, context: Context): Promise<LaunchResult> {
  const modes = modesOf(event);
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
  const result: LaunchResult = { runs: [], streams: [] };
  try {
    // Streams first: in `both`, the batch run then leaves out the entities a stream applies.
    for (const mode of modes) {
      if (mode === 'continuous') {
        const groups = config.grouping === 'all' ? [entities as string[]] : (entities as string[]).map((e) => [e]);
        result.streams.push(
          ...(await superviseStreams(groups, runner(), settings, invocationLog, undefined, {
            latestVersion,
            // A stream stopped for a new schema is waited for while this invocation has time; else the next one starts it.
            cancelWaitMs: Math.max(0, context.getRemainingTimeInMillis() - CANCEL_RESERVE_MS),
          })),
        );
      } else
        result.runs.push(
          ...(await launchJobs(
            { mode, entities: entities as string[], grouping: config.grouping },
            runner(),
            settings,
            invocationLog,
          )),
        );
    }
  } catch (error) {
    metrics.emit([...jobMetrics(config.stage, 'failed', failed), ...streamMetrics(config.stage, result.streams)]);
    throw error;
  }
  metrics.emit([...jobMetrics(config.stage, result.runs, failed), ...streamMetrics(config.stage, result.streams)]);
  return result;
}

export const handler = middy<LaunchEvent, LaunchResult, Error, Context>(launch).use(invocationSummary(log));
