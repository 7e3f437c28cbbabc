import type { CheckpointStore } from '../../lib/checkpoint';

/** The store with its `save` replaced (to watch saves or act between them); everything else passed through. */
export function withSave(inner: CheckpointStore, save: CheckpointStore['save']): CheckpointStore {
  return {
    load: (entity) => inner.load(entity),
    save,
    acquireLease: (entity, owner, now, until) => inner.acquireLease(entity, owner, now, until),
    releaseLease: (entity, owner) => inner.releaseLease(entity, owner),
    leaseOf: (entity) => inner.leaseOf(entity),
    recentParks: (entity) => inner.recentParks(entity),
    noteRecentParks: (entity, owner, parks) => inner.noteRecentParks(entity, owner, parks),
  };
}
