import { CdcError } from '../errors';

/**
 * Another run moved the checkpoint first (EventBridge delivers at least once, runs overlap).
 * The losing run stops without writing: nothing moves backwards.
 */
export class CheckpointConflictError extends CdcError {
  constructor(entity: string, expectedVersion: number) {
    super('CHECKPOINT_CONFLICT', `checkpoint of ${entity} moved since version ${expectedVersion} was read: another run is ahead; stopping without writing`);
  }
}
