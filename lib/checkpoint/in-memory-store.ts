import { CheckpointConflictError } from './errors';
import type { Position } from './position';
import type { CheckpointStore, StoredCheckpoint } from './store';

/** The checkpoint port in memory, with the same optimistic-concurrency rule, for unit tests. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly items = new Map<string, StoredCheckpoint>();

  async load(entity: string): Promise<StoredCheckpoint | undefined> {
    return this.items.get(entity);
  }

  async save(entity: string, position: Position, expectedVersion: number | undefined, runId?: string): Promise<StoredCheckpoint> {
    if (this.items.get(entity)?.version !== expectedVersion) throw new CheckpointConflictError(entity, expectedVersion ?? 0);
    const stored = { position, version: (expectedVersion ?? 0) + 1, ...(runId === undefined ? {} : { savedBy: runId }) };
    this.items.set(entity, stored);
    return stored;
  }
}
