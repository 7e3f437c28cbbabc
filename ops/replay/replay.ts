import {
  CheckpointConflictError,
  type CheckpointStore,
  type Position,
  type StoredCheckpoint,
} from '../../lib/checkpoint';
import { CheckpointMovedError, UsageError } from '../errors';

export interface ReplayRequest {
  readonly entity: string;
  /** Re-poll changes with updatedAt at or after this instant (the source's updatedSince is inclusive). */
  readonly from: Date;
}

export interface ReplayPlan {
  readonly entity: string;
  readonly from: string;
  /** The checkpoint as read; the reset is written only if it is still this version. */
  readonly current: StoredCheckpoint | undefined;
  readonly target: Position;
}

export interface ReplayOutcome {
  readonly entity: string;
  readonly before: StoredCheckpoint | undefined;
  readonly after: StoredCheckpoint;
}

/**
 * What a replay would change. Refuses a time in the future (nothing to re-poll) and a time after
 * the checkpoint (moving it forward would skip changes that were never read, not replay them).
 */
export async function planReplay(
  checkpoints: Pick<CheckpointStore, 'load'>,
  request: ReplayRequest,
  now: Date,
): Promise<ReplayPlan> {
  if (request.from > now)
    throw new UsageError(
      '--from',
      `${request.from.toISOString()} is in the future (now is ${now.toISOString()}): there is nothing to re-poll yet`,
    );
  const current = await checkpoints.load(request.entity);
  const from = request.from.toISOString();
  if (current !== undefined && from > current.position.updatedAt) {
    throw new UsageError(
      '--from',
      `${from} is after the checkpoint of ${request.entity} (${current.position.updatedAt}): moving it forward would skip changes, not replay them`,
    );
  }
  // No eventIds at the watermark: the next run re-reads everything at `from` too.
  return { entity: request.entity, from, current, target: { updatedAt: from, eventIdsAtUpdatedAt: [] } };
}

/**
 * Writes the reset with the same conditional write the poller uses: only if the checkpoint is
 * still the version last read. The write bumps the version, so a poller run that was in flight
 * (it holds the older version) fails its next save with a conflict and stops without writing:
 * it can never put its older-run position back over the reset. When a run saved between the
 * read and the write, the checkpoint is read again and the reset retried (a busy entity saves
 * after every page), as long as it is still at or after `from`; else CheckpointMovedError.
 */
export async function applyReplay(
  checkpoints: CheckpointStore,
  plan: ReplayPlan,
  operator: string,
  attempts = 5,
): Promise<ReplayOutcome> {
  let current = plan.current;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const after = await checkpoints.save(plan.entity, plan.target, current?.version, operator);
      return { entity: plan.entity, before: current, after };
    } catch (error) {
      if (!(error instanceof CheckpointConflictError)) throw error;
      const moved = await checkpoints.load(plan.entity);
      if (attempt >= attempts || moved === undefined || moved.position.updatedAt < plan.from)
        throw new CheckpointMovedError(plan.entity, current?.version);
      current = moved;
    }
  }
}
