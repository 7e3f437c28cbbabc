import { CdcError } from '../errors';

/**
 * Another run moved the checkpoint first (EventBridge delivers at least once, runs overlap).
 * The losing run stops without writing: nothing moves backwards.
 */
export class CheckpointConflictError extends CdcError {
  constructor(entity: string, expectedVersion: number) {
    super(
      'CHECKPOINT_CONFLICT',
      `checkpoint of ${entity} moved since version ${expectedVersion} was read: another run is ahead; stopping without writing`,
    );
  }
}

/** This run's lease on the entity ran out and another run took it: this one stops before parking or publishing more. */
export class LeaseLostError extends CdcError {
  constructor(entity: string, runId: string) {
    super(
      'CHECKPOINT_CONFLICT',
      `run ${runId} no longer holds the poll lease of ${entity}: another run is polling; stopping without writing`,
    );
  }
}

/**
 * The checkpoint store cannot be reached or refuses this client (PostgreSQL down, restarting,
 * a wrong password). Retriable unless the credentials are wrong; either way the run stops before
 * it moves the checkpoint, so nothing is lost: the next run reads again from the last save.
 */
export class CheckpointUnavailableError extends CdcError {
  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super('CHECKPOINT_UNAVAILABLE', message, options);
  }
}
