import type { Random } from './random';

/** Ties come in runs of this many changes sharing one `updatedAt`, like a bulk import would stamp them. */
export const TIE_RUN_MIN = 5;
export const TIE_RUN_MAX = 50;
const MEAN_TIE_RUN = (TIE_RUN_MIN + TIE_RUN_MAX) / 2;
const MAX_STEP_MS = 1500;

export interface ClockTick {
  updatedAtMs: number;
  /** True when this tick opened a run of ties: the next changes will share its time. */
  opensTieRun: boolean;
}

/**
 * The simulated, monotonic source clock. Every tick is >= the previous one; with
 * `tieRate` > 0 some ticks open a run of 5–50 ties. The chance of opening a run is
 * chosen so that, in the long run, about `tieRate` of all changes share the previous
 * change's `updatedAt`.
 */
export class SimulatedClock {
  private latestMs: number;
  private tiesLeft = 0;

  constructor(
    startMs: number,
    private readonly random: Random,
    private readonly tieRate: () => number,
  ) {
    this.latestMs = startMs;
  }

  get latest(): number {
    return this.latestMs;
  }

  get inTieRun(): boolean {
    return this.tiesLeft > 0;
  }

  /** `allowTie: false` forces a strictly later time (used to move a record past a client's cursor). */
  tick(options: { allowTie: boolean } = { allowTie: true }): ClockTick {
    if (options.allowTie && this.tiesLeft > 0) {
      this.tiesLeft--;
      return { updatedAtMs: this.latestMs, opensTieRun: false };
    }
    this.latestMs += this.random.int(1, MAX_STEP_MS);
    const opensTieRun = this.random.chance(tieRunProbability(this.tieRate()));
    this.tiesLeft = opensTieRun ? this.random.int(TIE_RUN_MIN - 1, TIE_RUN_MAX - 1) : 0;
    return { updatedAtMs: this.latestMs, opensTieRun };
  }
}

/** Solves rate = q·(L−1) / (1 + q·(L−1)) for q, L being the mean run length. */
function tieRunProbability(tieRate: number): number {
  if (tieRate <= 0) return 0;
  if (tieRate >= 1) return 1;
  return Math.min(1, tieRate / ((1 - tieRate) * (MEAN_TIE_RUN - 1)));
}
