import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import { entitiesOfRun, jobSpec, type JobSettings } from './job-spec';
import { ACTIVE_STATES, type ActiveRun, type JobRunner, type RunState } from './runner';

/** One supervised stream, as a launcher run found or left it. */
export interface SupervisedStream {
  readonly entities: readonly string[];
  readonly name: string;
  readonly jobRunId: string;
  /** True when this launcher run started it (none was going for these entities). */
  readonly started: boolean;
  readonly state: RunState;
  /** Set on the stream this launcher run stopped because a schema it reads changed (and on its successor). */
  readonly restartedBecause?: string;
}

/** The latest schema version number of an entity's topic (the Glue Schema Registry's). */
export type LatestSchemaVersion = (entity: string) => Promise<number>;

export interface StreamSupervision {
  /** Without it, streams are not checked against the registry (nothing restarts them for a schema). */
  readonly latestVersion?: LatestSchemaVersion;
  /** How long a launcher run waits for a stream it cancelled to end before starting its successor. */
  readonly cancelWaitMs?: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The tag a stream carries: the schema versions it read when it started, e.g. `customer:3+invoice:1`. */
export const SCHEMAS_TAG = 'schemas';
const CONTINUOUS = /^cdc-continuous-/;
const DEFAULT_CANCEL_WAIT_MS = 30_000;
const DEFAULT_POLL_MS = 5_000;

/**
 * Keeps one continuous stream per group of entities (one per entity, or one for all with
 * `jobGrouping: all`): a group none of whose entities a stream still going applies gets one
 * started; an entity a stream already applies is never given a second (whatever that stream's
 * grouping), so a change of grouping takes effect as the old streams end. A stream EMR gave up
 * (FAILED past its retry policy) or that was cancelled is no longer going, so the next launcher
 * run starts it again. Batch runs beside a stream do not hold it back: both MERGE with Delta's
 * optimistic concurrency control and retry on a conflict (glue-jobs/src/cdc_jobs/merge.py).
 *
 * Schema evolution: a stream reads its entities' latest schemas when it starts, and carries
 * their version numbers in its `schemas` tag. When the registry's latest version of one of them
 * is newer (or the stream has no tag), the stream is cancelled, and once it has ended its
 * successor starts and reads the new schema: a new optional field then flows into the table
 * (the MERGE adds the column). Spark's checkpoint makes the successor go on where the stream
 * stopped, so nothing is applied twice or skipped. A stream that has not ended within
 * `cancelWaitMs` is left CANCELLING, and the next launcher run starts its successor.
 */
export async function superviseStreams(
  groups: readonly (readonly string[])[],
  runner: JobRunner,
  settings: JobSettings,
  log: Logger,
  now: () => Date = () => new Date(),
  supervision: StreamSupervision = {},
): Promise<SupervisedStream[]> {
  const wanted = new Set(groups.flat());
  const versions = new Map<string, number>();
  const schemasOf = async (entities: readonly string[]): Promise<string | undefined> => {
    if (supervision.latestVersion === undefined) return undefined;
    const parts: string[] = [];
    for (const entity of entities) {
      if (!versions.has(entity)) versions.set(entity, await supervision.latestVersion(entity));
      parts.push(`${entity}:${versions.get(entity)}`);
    }
    return tagValue(parts.join('+'));
  };
  const going = (await runner.activeRuns()).filter((r) => CONTINUOUS.test(r.name));
  const restarted = new Map<string, string>();
  const streams: ActiveRun[] = [];
  for (const stream of going) {
    const because = await outdated(stream, wanted, schemasOf);
    if (because === undefined) {
      streams.push(stream);
      continue;
    }
    log.info('stopping a stream: a schema it reads changed', { name: stream.name, jobRunId: stream.jobRunId, because });
    const state = await cancelled(runner, stream, supervision);
    for (const entity of entitiesOfRun(stream.name) ?? []) restarted.set(entity, because);
    // Not ended yet: it still holds its entities (and its checkpoint); the next launcher run goes on.
    if (ACTIVE_STATES.includes(state)) streams.push({ ...stream, state });
  }
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
        ...because(restarted, applied),
      });
    if (rest.length === 0) continue;
    const spec = jobSpec('continuous', rest, settings);
    const schemas = await schemasOf(rest);
    // The same token within a minute: a retried invocation does not start a second stream.
    const jobRunId = await runner.start(
      schemas === undefined ? spec : { ...spec, tags: { ...spec.tags, [SCHEMAS_TAG]: schemas } },
      `${spec.name}-${now().toISOString().slice(0, 16)}`,
    );
    log.info('stream started', { name: spec.name, jobRunId, entities: rest, schemas });
    supervised.push({
      entities: rest,
      name: spec.name,
      jobRunId,
      started: true,
      state: 'SUBMITTED',
      ...because(restarted, rest),
    });
  }
  return supervised;
}

/** Why the stream must restart for its schemas, or undefined when it reads the latest ones (or is not the launcher's to judge). */
async function outdated(
  stream: ActiveRun,
  wanted: ReadonlySet<string>,
  schemasOf: (entities: readonly string[]) => Promise<string | undefined>,
): Promise<string | undefined> {
  const entities = entitiesOfRun(stream.name);
  // Only streams of the entities this run supervises, and never one already on its way out.
  if (entities === undefined || !entities.some((e) => wanted.has(e)) || stream.state === 'CANCELLING') return undefined;
  const latest = await schemasOf(entities);
  if (latest === undefined) return undefined;
  const read = stream.tags?.[SCHEMAS_TAG];
  if (read === latest) return undefined;
  return read === undefined
    ? `started without a schemas tag; latest ${latest}`
    : `started on ${read}; latest ${latest}`;
}

/** Cancels the run and waits for it to end, up to the wait; its state then. */
async function cancelled(runner: JobRunner, stream: ActiveRun, supervision: StreamSupervision): Promise<RunState> {
  const sleep = supervision.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pollMs = supervision.pollMs ?? DEFAULT_POLL_MS;
  await runner.cancel(stream.jobRunId);
  let state = await runner.state(stream.jobRunId);
  for (
    let waited = 0;
    ACTIVE_STATES.includes(state) && waited < (supervision.cancelWaitMs ?? DEFAULT_CANCEL_WAIT_MS);
    waited += pollMs
  ) {
    await sleep(pollMs);
    state = await runner.state(stream.jobRunId);
  }
  return state;
}

/** EMR Serverless tag values hold at most 256 characters: a longer list is kept as its digest. */
function tagValue(versions: string): string {
  return versions.length <= 256 ? versions : `sha256:${createHash('sha256').update(versions).digest('hex')}`;
}

function because(restarted: ReadonlyMap<string, string>, entities: readonly string[]): { restartedBecause?: string } {
  const reason = entities.map((e) => restarted.get(e)).find((r) => r !== undefined);
  return reason === undefined ? {} : { restartedBecause: reason };
}
