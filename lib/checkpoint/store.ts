import type { Position } from './position';

export interface StoredCheckpoint {
  readonly position: Position;
  /** Incremented by every write; a write names the version it read (optimistic concurrency). */
  readonly version: number;
  /** When and by which run it was last written (absent in the in-memory store and in items written before these were kept). */
  readonly savedAt?: string;
  readonly savedBy?: string;
}

/** Who holds an entity's poll lease, and until when (ISO-8601). */
export interface PollLease {
  readonly owner: string;
  readonly until: string;
}

/** A lease request's answer: taken, or held by another run (which is named). */
export type LeaseOutcome = { readonly acquired: true } | { readonly acquired: false; readonly holder: PollLease };

/**
 * The keys an entity's poller runs parked lately. The fallback table's status index (a GSI, never
 * strongly consistent) may not show them to the next run yet, so they are noted on the
 * checkpoint item, which is read strongly: until its `until`, a key's items are read
 * consistently before a newer change of it is published.
 */
export interface RecentParks {
  readonly keys: readonly { readonly id: string; readonly until: string }[];
  /** More keys were parked than the note holds: until then every key is read consistently. */
  readonly allUntil?: string;
}

/** The poller's port to its checkpoints, one per (stage, entity), and to the lease that lets one run at a time poll an entity. */
export interface CheckpointStore {
  load(entity: string): Promise<StoredCheckpoint | undefined>;
  /** Writes only if the stored version is still `expectedVersion` (undefined: none stored yet); else CheckpointConflictError. Leaves the lease as it is. */
  save(
    entity: string,
    position: Position,
    expectedVersion: number | undefined,
    runId: string,
  ): Promise<StoredCheckpoint>;
  /**
   * Takes the entity's lease for `owner` until `until`, unless another owner holds one that has
   * not expired at `now`. Overlapping runs (EventBridge delivers at least once) must not both read
   * a window: the one refused stops before it reads anything.
   */
  acquireLease(entity: string, owner: string, now: Date, until: Date): Promise<LeaseOutcome>;
  /** Gives the lease back if `owner` still holds it; false if it did not (expired and taken, or never held). */
  releaseLease(entity: string, owner: string): Promise<boolean>;
  /** The lease as stored (it may have expired), for operators; undefined when none is held. */
  leaseOf(entity: string): Promise<PollLease | undefined>;
  /** The entity's recent parks (strongly consistent read); undefined when none are noted. */
  recentParks(entity: string): Promise<RecentParks | undefined>;
  /** Replaces them if `owner` holds the entity's lease (false if not); leaves the checkpoint and the lease as they are. */
  noteRecentParks(entity: string, owner: string, parks: RecentParks): Promise<boolean>;
}

/** What a save writes beside the position: the version after the one it read, and when. */
export function nextSave(expectedVersion: number | undefined, now: Date): { version: number; savedAt: string } {
  return { version: (expectedVersion ?? 0) + 1, savedAt: now.toISOString() };
}
