import { type CheckpointStore, CheckpointConflictError, type Position } from '../checkpoint';

/**
 * The checkpoint writes of one run, one at a time, each overlapping the next page: page N's
 * write runs while page N+1 is fetched, planned and handed off, and is waited for before page
 * N+1's write starts (which names the version N's wrote) and before the run ends.
 *
 * What each write covers: page N's position is computed after page N's hand-off returned, from
 * page N's changes alone, every one of them acknowledged by Kafka or parked, so no write covers
 * an event that is in neither. Page N+1's events are never in page N's write.
 *
 * Crash windows:
 * - the run dies while page N's write is in flight and page N+1 is being handed off: the
 *   checkpoint is at N-1 or at N (one conditional write), page N+1's events may be in Kafka or
 *   parked; the next run reads from the stored checkpoint and sends N (and N+1) again, with the
 *   same event ids: at least once, nothing lost, and each key's changes again in order.
 * - page N's write fails (DynamoDB unreachable): the run throws when it would write page N+1's
 *   checkpoint (or at its end), after page N+1's hand-off at most, so the checkpoint stays at N-1
 *   and both pages are sent again next time.
 * - page N's write finds another run ahead (a replay moved the checkpoint): the run stops before
 *   writing again, with page N+1 handed off at most, as a run always handed off page N before
 *   its write found the conflict; that run re-reads from its own checkpoint.
 * - the run dies before page N's write starts: as before, the checkpoint is at N-1.
 */
export class CheckpointWrites {
  /** The last position written, once a write has succeeded. */
  saved: Position | undefined;
  private inFlight: Promise<'saved' | 'conflict' | { failed: unknown }> | undefined;

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly cursor: string,
    private version: number | undefined,
    private readonly runId: string,
  ) {}

  /** Starts writing `position`; only after `settled()` said the previous write succeeded. */
  start(position: Position): void {
    this.inFlight = this.checkpoints.save(this.cursor, position, this.version, this.runId).then(
      (stored) => {
        this.version = stored.version;
        this.saved = position;
        return 'saved' as const;
      },
      (error: unknown) => (error instanceof CheckpointConflictError ? ('conflict' as const) : { failed: error }),
    );
  }

  /** Waits for the write in flight: 'conflict' when another run is ahead; a failed write is thrown. */
  async settled(): Promise<'saved' | 'conflict'> {
    const outcome = (await this.inFlight) ?? 'saved';
    this.inFlight = undefined;
    if (typeof outcome === 'object') throw outcome.failed;
    return outcome;
  }

  /** Waits for the write in flight whatever its outcome (the run is failing with another error). */
  async drain(): Promise<void> {
    await this.inFlight;
  }
}
