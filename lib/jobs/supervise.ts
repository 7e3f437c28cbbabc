import type { Logger } from '../log';
import { entitiesOfRun, jobSpec, type JobSettings } from './job-spec';
import type { ActiveRun, JobRunner, RunState } from './runner';

/** One supervised stream, as a launcher run found or left it. */
export interface SupervisedStream {
  readonly entities: readonly string[];
  readonly name: string;
  readonly jobRunId: string;
  /** True when this launcher run started it (none was going for these entities). */
  readonly started: boolean;
  readonly state: RunState;
}

const CONTINUOUS = /^cdc-continuous-/;

/**
 * Keeps one continuous stream per group of entities (one per entity, or one for all with
 * `jobGrouping: all`): a group none of whose entities a stream still going applies gets one
 * started; an entity a stream already applies is never given a second (whatever that stream's
 * grouping), so a change of grouping takes effect as the old streams end. A stream EMR gave up
 * (FAILED past its retry policy) or that was cancelled is no longer going, so the next launcher
 * run starts it again. Batch runs beside a stream do not hold it back: both MERGE with Delta's
 * optimistic concurrency control and retry on a conflict (glue-jobs/src/cdc_jobs/merge.py).
 */
export async function superviseStreams(
  groups: readonly (readonly string[])[],
  runner: JobRunner,
  settings: JobSettings,
  log: Logger,
  now: () => Date = () => new Date(),
): Promise<SupervisedStream[]> {
  const streams = (await runner.activeRuns()).filter((r) => CONTINUOUS.test(r.name));
  const supervised: SupervisedStream[] = [];
  for (const entities of groups) {
    const rest: string[] = [];
    const covered = new Map<ActiveRun, string[]>();
    for (const entity of entities) {
      const stream = streams.find((r) => entitiesOfRun(r.name)?.includes(entity));
      if (stream === undefined) rest.push(entity);
      else covered.set(stream, [...(covered.get(stream) ?? []), entity]);
    }
    for (const [stream, applied] of covered)
      supervised.push({
        entities: applied,
        name: stream.name,
        jobRunId: stream.jobRunId,
        started: false,
        state: stream.state,
      });
    if (rest.length === 0) continue;
    const spec = jobSpec('continuous', rest, settings);
    // The same token within a minute: a retried invocation does not start a second stream.
    const jobRunId = await runner.start(spec, `${spec.name}-${now().toISOString().slice(0, 16)}`);
    log.info('stream started', { name: spec.name, jobRunId, entities: rest });
    supervised.push({ entities: rest, name: spec.name, jobRunId, started: true, state: 'SUBMITTED' });
  }
  return supervised;
}
