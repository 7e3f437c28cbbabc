import {
  type CheckpointStore,
  CheckpointConflictError,
  LeaseLostError,
  START_OF_TIME,
  advance,
  type Position,
  readFrom,
} from '../checkpoint';
import type { FallbackStore } from '../fallback';
import type { Logger } from '../log';
import type { Publisher } from '../publish';
import type { GlueAvroSerde } from '../serde';
import type { FrameCompression } from '../serde/glue-frame';
import { type RetryPolicy, withRetry } from '../retry';
import { type PaginationLimits, pagesOf, readAhead, type Source } from '../source';
import { ParkedKeys } from './parked-keys';
import { handOff, type PollRun } from './hand-off';
import { planPage } from './page-plan';
import { type IndexLagOptions, ParkedIndexLag } from './recent-parks';
import { type BackfillWindow, backfillCursorKey, backfillStart, cutAtWindowEnd } from './backfill';

export interface PollDependencies {
  readonly source: Source;
  readonly checkpoints: CheckpointStore;
  readonly publisher: Publisher;
  readonly fallback: FallbackStore;
  readonly serde: GlueAvroSerde;
  readonly log: Logger;
  readonly now?: () => Date;
}

export interface PollRequest {
  readonly entity: string;
  readonly topic: string;
  readonly schemaName: string;
  readonly compression: FrameCompression;
  readonly runId: string;
  /**
   * How long this run may hold its entity's lease: the invocation's remaining time (and a little
   * more), after which Lambda has ended it. A run that crashes keeps the entity until then.
   */
  readonly leaseMs: number;
  readonly limits: Omit<PaginationLimits, 'shouldStop'> & {
    /**
     * A checkpoint inside a run of equal timestamps lists the eventIds handed off at that
     * timestamp; past this many it would outgrow a DynamoDB item (400 KB), so it is not saved
     * until the run has passed the tie. Default 8,000 (about 300 KB). A lookback window's record
     * shares the budget (one slot per id and per timestamp); past it, its oldest timestamps go.
     */
    readonly maxCheckpointTieIds?: number;
    /** Above this many parked RETRIABLE (or AMBIGUOUS) items, ask per key rather than list them (default 5,000). */
    readonly maxListedParkedItems?: number;
  };
  /** Stop fetching when this returns true (the Lambda's remaining time), and checkpoint what is done. */
  readonly outOfTime: () => boolean;
  /**
   * Late commits: read again from this long before the checkpoint (0 or absent: from the
   * checkpoint). What was handed off inside the window is recorded on the checkpoint and
   * skipped; a change seen there for the first time is delivered (and counted as late).
   */
  readonly lookbackMs?: number;
  /** How the run covers the fallback table's status index lagging behind parks (see ParkedIndexLag). */
  readonly parkedIndexLag?: IndexLagOptions;
  /**
   * A bounded backfill instead of a live run: reads the window again with a cursor of its own
   * (no lookback), never moving the entity's checkpoint. It holds the entity's lease too while
   * it runs, so it never hands off at the same time as a live run (see pollEntity).
   */
  readonly backfill?: BackfillWindow;
}

export interface PollSummary {
  entity: string;
  pages: number;
  fetched: number;
  published: number;
  duplicates: number;
  /** Changes older than the checkpoint, seen for the first time inside the lookback window (late commits). */
  lateChanges: number;
  /** Changes inside the window that the checkpoint had no record of (past its bound): delivered again, at least once. */
  redelivered: number;
  parked: Record<string, number>;
  /** A backfill's window; its checkpoints below are the backfill's cursor, not the entity's. */
  window?: BackfillWindow;
  checkpointBefore: Position;
  checkpointAfter: Position;
  stoppedBecause: 'done' | 'time budget' | 'another run is ahead' | 'another run is polling';
}

/**
 * One run for one entity: take the entity's lease (or stop at once if another run holds it), then
 * read from the checkpoint on, publish what is valid, park what is not (or what Kafka did not
 * take), and move the checkpoint after each page only over events that are in Kafka or in the
 * fallback table. A run that finds another one ahead stops. The lease is given back at the end.
 *
 * A backfill takes its window's own lease first (one backfill of a window at a time), then the
 * entity's: the source serves each record's latest version only, so a backfill reading a record
 * while a live run publishes its newer change could publish the older one after it. Holding both
 * leases, the two never read and hand off at the same time; a live run that finds the lease held
 * stops, and the next scheduled run goes on. Backfill runs are short (their time budget), so the
 * live polling and a long backfill take turns.
 */
export async function pollEntity(deps: PollDependencies, request: PollRequest): Promise<PollSummary> {
  if (request.backfill === undefined) return leased(deps, request, request.entity, () => pollLeased(deps, request));
  const cursor = backfillCursorKey(request.entity, request.backfill);
  return leased(deps, request, cursor, () =>
    leased(deps, request, request.entity, () => pollLeased(deps, request), cursor),
  );
}

/** `run` while holding the lease of `key`; a lease held by another run stops this one at once. */
async function leased(
  deps: PollDependencies,
  request: PollRequest,
  key: string,
  run: () => Promise<PollSummary>,
  cursor: string = key,
): Promise<PollSummary> {
  const at = deps.now?.() ?? new Date();
  let lease;
  try {
    lease = await deps.checkpoints.acquireLease(key, request.runId, at, new Date(at.getTime() + request.leaseMs));
  } catch (error) {
    // The write may have happened with its answer lost: give back whatever this run may hold, or
    // the entity would wait for this run's deadline although the run is over.
    await giveLeaseBack(deps, request, key, 'maybe held');
    throw error;
  }
  if (!lease.acquired) {
    // Two runs reading one window would each decide from what they saw of the fallback table,
    // and one could publish a key's newer change while the other parks an older one behind it.
    deps.log.info('another run is polling this entity; stopping before reading', {
      entity: request.entity,
      runId: request.runId,
      holder: lease.holder.owner,
      heldUntil: lease.holder.until,
      ...(key === request.entity ? {} : { lease: key }),
    });
    const stored = (await deps.checkpoints.load(cursor))?.position;
    const summary = startSummary(request, stored ?? startOf(request));
    summary.stoppedBecause = 'another run is polling';
    return summary;
  }
  try {
    return await run();
  } finally {
    await giveLeaseBack(deps, request, key, 'held');
  }
}

/**
 * Pauses before each further try of giving the lease back (DynamoDB unreachable for a few
 * seconds, say): 250 ms doubling to 4 s, without jitter, whatever the error.
 */
const RELEASE_RETRY: RetryPolicy = {
  retries: 5,
  initialDelayMs: 250,
  maxDelayMs: 4000,
  random: () => 1,
  retriable: () => true,
};

/**
 * Gives the lease back, trying again for about 8 s if DynamoDB does not answer: a lease not given
 * back holds the entity until this run's deadline (5 min deployed), and the runs until then stop
 * at once. (A run's deadline ends the tries as it ends the run.)
 */
async function giveLeaseBack(
  deps: PollDependencies,
  request: PollRequest,
  key: string,
  lease: 'held' | 'maybe held',
): Promise<void> {
  let failure: Error | undefined;
  try {
    const released = await withRetry(() => deps.checkpoints.releaseLease(key, request.runId), {
      ...RELEASE_RETRY,
      onRetry: (error) => (failure = error),
    });
    // After a failed try, "not held" most likely means that try gave it back and lost its answer.
    if (!released && lease === 'held' && failure === undefined)
      deps.log.warn("the entity's lease had passed to another run before this one ended", {
        entity: request.entity,
        runId: request.runId,
      });
    return;
  } catch (error) {
    failure = error as Error;
  }
  deps.log.warn("could not give the entity's lease back; it expires at this run's deadline", {
    entity: request.entity,
    runId: request.runId,
    error: failure?.message,
  });
}

/** Where a run starts without a stored checkpoint: the start of time, or a backfill's `from`. */
const startOf = (request: PollRequest): Position =>
  request.backfill === undefined ? START_OF_TIME : backfillStart(request.backfill);

const startSummary = (request: PollRequest, position: Position): PollSummary => ({
  entity: request.entity,
  ...(request.backfill === undefined ? {} : { window: request.backfill }),
  pages: 0,
  fetched: 0,
  published: 0,
  duplicates: 0,
  lateChanges: 0,
  redelivered: 0,
  parked: {},
  checkpointBefore: position,
  checkpointAfter: position,
  stoppedBecause: 'done',
});

async function pollLeased(deps: PollDependencies, request: PollRequest): Promise<PollSummary> {
  const now = (): string => (deps.now?.() ?? new Date()).toISOString();
  // A backfill moves its own cursor, and reads no lookback window: its window is the one it was given.
  const cursor = request.backfill === undefined ? request.entity : backfillCursorKey(request.entity, request.backfill);
  const stored = await deps.checkpoints.load(cursor);
  let version = stored?.version;
  let position = stored?.position ?? startOf(request);
  let saved = position;
  const maxTieIds = request.limits.maxCheckpointTieIds ?? 8000;
  const lookback = { lookbackMs: request.backfill === undefined ? (request.lookbackMs ?? 0) : 0, maxIds: maxTieIds };
  const summary = startSummary(request, position);
  let windowEnded = false;
  const pages = readAhead(
    pagesOf(deps.source, request.entity, readFrom(position, lookback.lookbackMs), {
      ...request.limits,
      shouldStop: request.outOfTime,
    }),
  );
  // The first page is fetched while the parked keys are read: a backlog does not delay the source.
  let result = pages.next();
  result.catch(() => undefined);
  let more = false;
  try {
    const [lag, parked] = await Promise.all([
      ParkedIndexLag.read(
        deps.checkpoints,
        request.entity,
        request.runId,
        deps.now?.() ?? new Date(),
        request.parkedIndexLag,
      ),
      ParkedKeys.read(deps.fallback, request.entity, request.limits.maxListedParkedItems),
    ]);
    if (parked.askingPerKey)
      deps.log.info("more events parked than a run lists; asking about each page's keys", {
        entity: request.entity,
        runId: request.runId,
      });
    const run: PollRun = {
      deps,
      request,
      keys: { retriableKeys: parked.retriable, ambiguousKeys: parked.ambiguous, lag },
      summary,
    };
    for (let r = await result; r.done !== true; r = await (result = pages.next())) {
      const cut = request.backfill === undefined ? undefined : cutAtWindowEnd(r.value.entries, request.backfill);
      const page = cut === undefined ? r.value : { ...r.value, entries: cut.entries };
      windowEnded = cut?.ended === true;
      summary.pages += 1;
      more = page.nextPageToken !== null && !windowEnded;
      await parked.prepare(page.entries.flatMap((e) => (e.kind === 'change' ? [e.change.id] : [])));
      const plan = await planPage(page.entries, deps.serde, {
        entity: request.entity,
        schemaName: request.schemaName,
        compression: request.compression,
        position,
        retriableKeys: parked.retriable,
        now: now(),
      });
      try {
        await handOff(run, plan, now());
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        stopBehind(run, 'another run is polling', "this run's lease ran out and another run took it; stopping");
        break;
      }
      const next = advance(
        position,
        plan.changes.map((c) => ({ updatedAt: c.updatedAt, eventId: c.eventId, handedOff: true })),
        lookback,
      );
      if (next !== position && next.eventIdsAtUpdatedAt.length > maxTieIds) {
        // Inside a huge tie: keep going with the position in memory (it still drops duplicates in
        // this run) and save once past the tie. A run that stops inside it leaves the saved
        // checkpoint before it, so the next run re-sends part of the tie: at least once, never lost.
        if (position.eventIdsAtUpdatedAt.length <= maxTieIds)
          deps.log.warn('more events share one timestamp than a checkpoint can list; saving again after the tie', {
            entity: request.entity,
            updatedAt: next.updatedAt,
            limit: maxTieIds,
          });
        position = next;
      } else if (next !== position) {
        try {
          version = (await deps.checkpoints.save(cursor, next, version, request.runId)).version;
          position = next;
          saved = next;
        } catch (error) {
          if (!(error instanceof CheckpointConflictError)) throw error;
          stopBehind(run, 'another run is ahead', 'another run moved the checkpoint first; stopping');
          break;
        }
      }
      if (windowEnded) break;
    }
  } finally {
    // Not awaited: a first page still in flight (retrying, say) must not hold up a failed run.
    pages.return(undefined).catch(() => undefined);
  }
  // The pages ended with a next page still to fetch: the time budget (or the page cap) stopped the run.
  if (more && summary.stoppedBecause === 'done') summary.stoppedBecause = 'time budget';
  summary.checkpointAfter = saved;
  return summary;
}

/** Another run got there first: this one says so and stops, leaving the rest to that run. */
function stopBehind(run: PollRun, why: 'another run is ahead' | 'another run is polling', message: string): void {
  run.deps.log.warn(message, { entity: run.request.entity, runId: run.request.runId });
  run.summary.stoppedBecause = why;
}
