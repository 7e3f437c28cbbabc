import { CheckpointConflictError } from './errors';
import type { Position } from './position';
import type { CheckpointStore, LeaseOutcome, PollLease, RecentParks, StoredCheckpoint } from './store';

/** The checkpoint port in memory, with the same optimistic-concurrency and lease rules, for unit tests. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly items = new Map<string, StoredCheckpoint>();
  private readonly leases = new Map<string, PollLease>();
  private readonly parks = new Map<string, RecentParks>();

  async load(entity: string): Promise<StoredCheckpoint | undefined> {
    return this.items.get(entity);
  }

  async save(
    entity: string,
    position: Position,
    expectedVersion: number | undefined,
    runId?: string,
  ): Promise<StoredCheckpoint> {
    if (this.items.get(entity)?.version !== expectedVersion)
      throw new CheckpointConflictError(entity, expectedVersion ?? 0);
    const stored = {
      position,
      version: (expectedVersion ?? 0) + 1,
      ...(runId === undefined ? {} : { savedBy: runId }),
    };
    this.items.set(entity, stored);
    return stored;
  }

  async acquireLease(entity: string, owner: string, now: Date, until: Date): Promise<LeaseOutcome> {
    const held = this.leases.get(entity);
    if (held !== undefined && held.owner !== owner && held.until >= now.toISOString())
      return { acquired: false, holder: held };
    this.leases.set(entity, { owner, until: until.toISOString() });
    return { acquired: true };
  }

  async releaseLease(entity: string, owner: string): Promise<boolean> {
    if (this.leases.get(entity)?.owner !== owner) return false;
    this.leases.delete(entity);
    return true;
  }

  async leaseOf(entity: string): Promise<PollLease | undefined> {
    return this.leases.get(entity);
  }

  async recentParks(entity: string): Promise<RecentParks | undefined> {
    return this.parks.get(entity);
  }

  async noteRecentParks(entity: string, owner: string, parks: RecentParks): Promise<boolean> {
    if (this.leases.get(entity)?.owner !== owner) return false;
    this.parks.set(entity, parks);
    return true;
  }
}
