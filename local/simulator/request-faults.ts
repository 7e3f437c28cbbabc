import type { FaultCounts } from './counters';
import type { FaultSettings } from './faults';
import { makeMalformedEntry, type MalformedEntry } from './malformed-entries';
import { createRandom, type Random } from './random';
import type { ChangeEvent } from './types';

export type CdcFailure = { status: 429; retryAfterSeconds: number } | { status: 500 | 502 | 503 };

export interface ResponseFaults {
  delayMs: number;
  /** The delay includes a hang (`hangMs`): the client is expected to have given up. */
  hung: boolean;
  failure: CdcFailure | null;
}

/** How many already-served records one update-while-paging fault moves. */
const MAX_MOVED_PER_REQUEST = 3;

/**
 * Decides, per `/cdc` request, which faults strike. Each decision has its own seeded
 * stream, so the same seed and the same request sequence give the same faults.
 */
export class RequestFaults {
  private readonly responseRandom: Random;
  private readonly malformedRandom: Random;
  private readonly pagingRandom: Random;
  private readonly hangRandom: Random;
  private malformedSequence = 0;

  constructor(
    seed: number,
    private readonly settings: () => FaultSettings,
    private readonly counts: FaultCounts,
  ) {
    this.responseRandom = createRandom(seed, 'response-faults');
    this.malformedRandom = createRandom(seed, 'malformed-entries');
    this.pagingRandom = createRandom(seed, 'update-while-paging');
    this.hangRandom = createRandom(seed, 'hung-requests');
  }

  decideResponse(): ResponseFaults {
    const settings = this.settings();
    const slow = settings.slowMs > 0 && this.responseRandom.chance(settings.slowRate);
    if (slow) this.counts.slow++;
    // Its own stream, so turning hangs on leaves the other faults' sequences as they were.
    const hung = settings.hangRate > 0 && this.hangRandom.chance(settings.hangRate);
    if (hung) this.counts.hang++;
    return {
      delayMs: (slow ? settings.slowMs : 0) + (hung ? settings.hangMs : 0),
      hung,
      failure: this.decideFailure(settings),
    };
  }

  /** Returns a junk entry for this page (modelled on `sample`, one of its real changes), or null when none is due. */
  malformedEntryFor(sample: ChangeEvent | undefined): MalformedEntry | null {
    if (!this.malformedRandom.chance(this.settings().malformedRate)) return null;
    this.counts.malformed++;
    this.malformedSequence++;
    return makeMalformedEntry(this.malformedRandom, sample, this.malformedSequence);
  }

  /** Where in a page of `length` entries the junk goes. */
  malformedPosition(length: number): number {
    return this.malformedRandom.int(0, length);
  }

  /** Whether this follow-up page first moves records the client already has to a later updatedAt. */
  movesWhilePaging(): boolean {
    return this.pagingRandom.chance(this.settings().updateWhilePagingRate);
  }

  /** One to three distinct ids among `served`. */
  pickRecordsToMove(served: readonly { id: string }[]): string[] {
    const ids = new Set<string>();
    const wanted = this.pagingRandom.int(1, MAX_MOVED_PER_REQUEST);
    for (let attempt = 0; served.length > 0 && attempt < wanted * 3 && ids.size < wanted; attempt++) {
      ids.add(this.pagingRandom.pick(served).id);
    }
    return [...ids];
  }

  noteMovedWhilePaging(moved: number): void {
    this.counts.updateWhilePaging += moved;
  }

  private decideFailure(settings: FaultSettings): CdcFailure | null {
    // Both draws happen on every request, so changing one rate leaves the other's sequence as it was.
    const throttled = this.responseRandom.chance(settings.rate429);
    const failed = this.responseRandom.chance(settings.rate5xx);
    if (throttled) {
      this.counts.rate429++;
      return { status: 429, retryAfterSeconds: settings.retryAfterSeconds };
    }
    if (!failed) return null;
    this.counts.rate5xx++;
    return { status: this.responseRandom.pick([500, 502, 503] as const) };
  }
}
