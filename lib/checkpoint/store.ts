import type { Position } from './position';

export interface StoredCheckpoint {
  readonly position: Position;
  /** Incremented by every write; a write names the version it read (optimistic concurrency). */
  readonly version: number;
}

/** The poller's port to its checkpoints, one per (stage, entity). */
export interface CheckpointStore {
  load(entity: string): Promise<StoredCheckpoint | undefined>;
  /** Writes only if the stored version is still `expectedVersion` (undefined: none stored yet); else CheckpointConflictError. */
  save(entity: string, position: Position, expectedVersion: number | undefined, runId: string): Promise<StoredCheckpoint>;
}
