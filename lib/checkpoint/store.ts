import type { Position } from './position';

export interface StoredCheckpoint {
  readonly position: Position;
  /** Incremented by every write; a write names the version it read (optimistic concurrency). */
  readonly version: number;
  /** When and by which run it was last written (absent in the in-memory store and in items written before these were kept). */
  readonly savedAt?: string;
  readonly savedBy?: string;
}

/** The poller's port to its checkpoints, one per (stage, entity). */
export interface CheckpointStore {
  load(entity: string): Promise<StoredCheckpoint | undefined>;
  /** Writes only if the stored version is still `expectedVersion` (undefined: none stored yet); else CheckpointConflictError. */
  save(entity: string, position: Position, expectedVersion: number | undefined, runId: string): Promise<StoredCheckpoint>;
}
