import type { BackfillCount, BackfillWindow, PollSummary } from '../../lib/poller';
import type { PollerInvoker } from './poller-invoker';

export interface BackfillRequest {
  readonly entity: string;
  readonly window: BackfillWindow;
}

export interface BackfillOutcome extends BackfillRequest {
  readonly slices: number;
  readonly published: number;
  readonly parked: Record<string, number>;
  readonly duplicates: number;
  /** Where the backfill's cursor stands: the window's end once finished. */
  readonly cursor: string;
  /** Why it stopped before the window's end, if it did. */
  readonly unfinished?: string;
}

export interface BackfillOptions {
  /** Told of each slice as it ends. */
  readonly onSlice?: (slice: PollSummary, n: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long a busy entity (a live run holding it) is waited for in all, before giving up (default 10 min). */
  readonly maxWaitMs?: number;
}

/** A live run holds the entity's lease for its whole run: a backfill slice waits this long before asking again. */
const WAIT_MS = 5000;

/**
 * Runs the poller's backfill of a window slice after slice (each holds the entity for at most
 * 30 s, so the schedule's live runs go between) until the window's end.
 */
export async function runBackfill(
  invoker: PollerInvoker,
  request: BackfillRequest,
  options: BackfillOptions = {},
): Promise<BackfillOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const parked: Record<string, number> = {};
  let published = 0;
  let duplicates = 0;
  let slices = 0;
  let waited = 0;
  let cursor = request.window.from;
  for (;;) {
    const slice = asSummary(await invoker.invoke({ entity: request.entity, backfill: request.window }));
    slices += 1;
    published += slice.published;
    duplicates += slice.duplicates;
    for (const [reason, n] of Object.entries(slice.parked)) parked[reason] = (parked[reason] ?? 0) + n;
    cursor = slice.checkpointAfter.updatedAt;
    options.onSlice?.(slice, slices);
    const outcome = { ...request, slices, published, parked, duplicates, cursor };
    if (slice.stoppedBecause === 'done') return { ...outcome, cursor: request.window.to };
    if (slice.stoppedBecause === 'another run is ahead')
      return {
        ...outcome,
        unfinished: 'another backfill of this window moved its cursor meanwhile; it goes on from there',
      };
    if (slice.stoppedBecause === 'another run is polling') {
      if (waited >= (options.maxWaitMs ?? 600_000))
        return {
          ...outcome,
          unfinished: `the entity stayed held by other runs for ${Math.round(waited / 1000)} s (a live run, or another backfill of this window); run the same command again to go on from the cursor`,
        };
      waited += WAIT_MS;
      await sleep(WAIT_MS);
    }
  }
}

/** The dry run: the poller counts the window without a lease, a cursor or a hand-off. */
export async function countBackfill(invoker: PollerInvoker, request: BackfillRequest): Promise<BackfillCount> {
  const count = (await invoker.invoke({
    entity: request.entity,
    backfill: { ...request.window, dryRun: true },
  })) as BackfillCount | undefined;
  if (count?.dryRun !== true) throw new Error(`the poller answered the dry run with ${JSON.stringify(count)}`);
  return count;
}

function asSummary(value: unknown): PollSummary {
  const summary = value as PollSummary | undefined;
  if (typeof summary?.stoppedBecause !== 'string' || summary.checkpointAfter === undefined)
    throw new Error(`the poller answered a backfill slice with ${JSON.stringify(value)?.slice(0, 500)}`);
  return summary;
}
