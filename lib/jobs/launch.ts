import type { Logger } from '../log';
import { entitiesOfRun, type JobMode, jobSpec, type JobSettings } from './job-spec';
import type { ActiveRun, JobRunner, RunState } from './runner';

export interface LaunchRequest {
  readonly mode: Exclude<JobMode, 'continuous'>;
  /** Entities to run; all configured ones when absent. */
  readonly entities: readonly string[];
  /** `entity`: one run per entity; `all`: one run for all of them (one Spark application). */
  readonly grouping: 'entity' | 'all';
}

export interface LaunchedRun {
  readonly entities: readonly string[];
  /** The run's name; when not started, the name of the run still applying these entities. */
  readonly name: string;
  readonly jobRunId: string;
  /** False when a run (of any mode or grouping) was still applying these entities: it is returned instead of a new one. */
  readonly started: boolean;
  readonly state: RunState;
}

/**
 * Starts the runs, leaving out every entity that a run still going already applies, whatever its
 * mode or grouping (batch beside streaming, `customer` beside `customer+invoice`): two jobs on one
 * table are safe (one Delta commit per MERGE, see glue-jobs/src/cdc_jobs/merge.py) but do the work twice.
 * Maintenance is the exception both ways: it applies no changes, so it runs beside the others (its
 * OPTIMIZE, like a MERGE, is retried when a concurrent commit wins), and only a maintenance run
 * still going holds back another.
 */
export async function launchJobs(
  request: LaunchRequest,
  runner: JobRunner,
  settings: JobSettings,
  log: Logger,
  now: () => Date = () => new Date(),
): Promise<LaunchedRun[]> {
  const groups = request.grouping === 'all' ? [request.entities] : request.entities.map((e) => [e]);
  const maintenance = (name: string): boolean => name.startsWith('cdc-maintenance-');
  const active = (await runner.activeRuns()).filter((r) => maintenance(r.name) === (request.mode === 'maintenance'));
  const runs: LaunchedRun[] = [];
  for (const entities of groups) {
    const { covered, rest } = splitCovered(entities, active);
    for (const [running, applied] of covered) {
      log.info('a run still going applies these entities: not starting another', {
        entities: applied,
        name: running.name,
        jobRunId: running.jobRunId,
        state: running.state,
      });
      runs.push({
        entities: applied,
        name: running.name,
        jobRunId: running.jobRunId,
        started: false,
        state: running.state,
      });
    }
    if (rest.length === 0) continue;
    const spec = jobSpec(request.mode, rest, settings);
    // The same token within a minute: a retried invocation does not start a second run.
    const jobRunId = await runner.start(spec, `${spec.name}-${now().toISOString().slice(0, 16)}`);
    log.info('job run started', { name: spec.name, jobRunId });
    runs.push({ entities: rest, name: spec.name, jobRunId, started: true, state: 'SUBMITTED' });
  }
  return runs;
}

/** Which of `entities` a run still going applies (grouped by that run, in `entities`' order), and the rest. */
function splitCovered(
  entities: readonly string[],
  active: readonly ActiveRun[],
): { covered: Map<ActiveRun, string[]>; rest: string[] } {
  const covered = new Map<ActiveRun, string[]>();
  const rest: string[] = [];
  for (const entity of entities) {
    const running = active.find((r) => entitiesOfRun(r.name)?.includes(entity));
    if (running === undefined) rest.push(entity);
    else covered.set(running, [...(covered.get(running) ?? []), entity]);
  }
  return { covered, rest };
}
