import type { Logger } from '../log';
import { jobSpec, type JobSettings } from './job-spec';
import type { JobRunner, RunState } from './runner';

export interface LaunchRequest {
  readonly mode: 'batch' | 'streaming';
  /** Entities to run; all configured ones when absent. */
  readonly entities: readonly string[];
  /** `entity`: one run per entity; `all`: one run for all of them (one Spark application). */
  readonly grouping: 'entity' | 'all';
}

export interface LaunchedRun {
  readonly entities: readonly string[];
  readonly name: string;
  readonly jobRunId: string;
  /** False when a run of the same name was still going: it is returned instead of a new one. */
  readonly started: boolean;
  readonly state: RunState;
}

/** Starts the runs, skipping any whose previous run is still going. */
export async function launchJobs(request: LaunchRequest, runner: JobRunner, settings: JobSettings, log: Logger, now: () => Date = () => new Date()): Promise<LaunchedRun[]> {
  const groups = request.grouping === 'all' ? [request.entities] : request.entities.map((e) => [e]);
  const runs: LaunchedRun[] = [];
  for (const entities of groups) {
    const spec = jobSpec(request.mode, entities, settings);
    const running = await runner.active(spec.name);
    if (running !== undefined) {
      log.info('previous run still going: not starting another', { name: spec.name, jobRunId: running.jobRunId, state: running.state });
      runs.push({ entities, name: spec.name, jobRunId: running.jobRunId, started: false, state: running.state });
      continue;
    }
    // The same token within a minute: a retried invocation does not start a second run.
    const jobRunId = await runner.start(spec, `${spec.name}-${now().toISOString().slice(0, 16)}`);
    log.info('job run started', { name: spec.name, jobRunId });
    runs.push({ entities, name: spec.name, jobRunId, started: true, state: 'SUBMITTED' });
  }
  return runs;
}
