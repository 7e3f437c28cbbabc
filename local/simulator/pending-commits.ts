import { perEntity } from './counters';
import type { EntityName } from './entities';
import type { StoredVersion } from './types';

/** A late change (the `lateCommitRate` fault): made and stamped, not yet visible to readers. */
export interface PendingChange {
  entity: EntityName;
  version: StoredVersion;
  /** Wall-clock time (`Date.now()`, not the simulated clock) from which readers see it. */
  commitAtMs: number;
}

/**
 * Changes that keep the `updatedAt` they were stamped with but commit later, as a source
 * that stamps a change when its transaction starts and shows it when it commits. At most
 * one per record (the generator leaves a record alone until its pending change commits);
 * kept in commit-time order, so taking the due ones is a slice off the front.
 */
export class PendingCommits {
  private readonly queue: PendingChange[] = [];
  private readonly ids = perEntity(() => new Set<string>());

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.queue.length;
  }

  countOf(entity: EntityName): number {
    return this.ids[entity].size;
  }

  has(entity: EntityName, id: string): boolean {
    return this.ids[entity].has(id);
  }

  /** Holds `version` back for `delayMs` wall-clock milliseconds from now. */
  hold(entity: EntityName, version: StoredVersion, delayMs: number): void {
    if (this.has(entity, version.id)) throw new Error(`${entity} ${version.id} already has a pending change`);
    const change: PendingChange = { entity, version, commitAtMs: this.now() + delayMs };
    // Usually the latest commit time, so an append; a lateCommitMs shortened meanwhile inserts it earlier.
    let index = this.queue.length;
    while (index > 0 && (this.queue[index - 1] as PendingChange).commitAtMs > change.commitAtMs) index--;
    this.queue.splice(index, 0, change);
    this.ids[entity].add(version.id);
  }

  /** Removes and returns the changes whose commit time has passed, in commit order. */
  takeDue(): PendingChange[] {
    const now = this.now();
    let count = 0;
    while (count < this.queue.length && (this.queue[count] as PendingChange).commitAtMs <= now) count++;
    return this.take(count);
  }

  /** Removes and returns every pending change, due or not. */
  takeAll(): PendingChange[] {
    return this.take(this.queue.length);
  }

  private take(count: number): PendingChange[] {
    const taken = this.queue.splice(0, count);
    for (const { entity, version } of taken) this.ids[entity].delete(version.id);
    return taken;
  }
}
