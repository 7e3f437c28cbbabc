import { BadRequestError } from './errors';

/** Fault injection and live-generation settings; everything is off by default. */
export interface FaultSettings {
  /** Probability that a `/cdc` request is answered 429 with `Retry-After`. */
  rate429: number;
  /** The `Retry-After` value sent with a 429, in seconds. */
  retryAfterSeconds: number;
  /** Probability that a `/cdc` request is answered 500, 502 or 503. */
  rate5xx: number;
  /** Delay of a slowed response, in milliseconds. */
  slowMs: number;
  /** Probability that a `/cdc` response is delayed by `slowMs`. */
  slowRate: number;
  /**
   * Probability that a `/cdc` request hangs for `hangMs` before it is answered: past a client's
   * request timeout, so the client sees a timeout (a slow page is late; a hung one is abandoned).
   */
  hangRate: number;
  /** How long a hung request waits before its (by then unread) answer, in milliseconds. */
  hangMs: number;
  /** Probability that a `/cdc` page carries one extra malformed entry. */
  malformedRate: number;
  /** Probability that a generated UPSERT's `data` breaks the entity's schema. */
  schemaBreakRate: number;
  /** Probability that a request with a `pageToken` first updates a few records the client was already given. */
  updateWhilePagingRate: number;
  /** Long-run share of changes that share the previous change's `updatedAt` (ties come in runs of 5–50). */
  tieRate: number;
  /**
   * Probability that a generated change commits late: it keeps the `updatedAt` it was stamped
   * with (the simulated clock's time when generated) but is not served by `/cdc`, nor part of
   * `/admin/state`'s records, until `lateCommitMs` later; until then readers see the record's
   * previous committed version (nothing, for a create). The record gets no further change
   * meanwhile, so its versions still commit in `updatedAt` order. A client whose cursor has
   * passed that `updatedAt` by then misses the change unless it reads back (a lookback).
   */
  lateCommitRate: number;
  /**
   * How long after it was generated a late change commits, in WALL-CLOCK milliseconds
   * (`Date.now()`, not the simulated source clock). Commits happen lazily, when the store is
   * next read or written; `POST /admin/commit-late` commits every pending change at once.
   */
  lateCommitMs: number;
  /** Changes per second generated continuously (not a fault: an unattended demo). */
  liveRate: number;
}

interface Bounds {
  min: number;
  max: number;
  integer?: boolean;
}

const PROBABILITY: Bounds = { min: 0, max: 1 };

/** The one list of settings: their bounds drive validation and the names `/admin/faults` accepts. */
const SETTING_BOUNDS: Record<keyof FaultSettings, Bounds> = {
  rate429: PROBABILITY,
  retryAfterSeconds: { min: 0, max: 3600, integer: true },
  rate5xx: PROBABILITY,
  slowMs: { min: 0, max: 60_000, integer: true },
  slowRate: PROBABILITY,
  hangRate: PROBABILITY,
  hangMs: { min: 0, max: 300_000, integer: true },
  malformedRate: PROBABILITY,
  schemaBreakRate: PROBABILITY,
  updateWhilePagingRate: PROBABILITY,
  tieRate: PROBABILITY,
  lateCommitRate: PROBABILITY,
  lateCommitMs: { min: 0, max: 600_000, integer: true },
  liveRate: { min: 0, max: 10_000 },
};

export const NO_FAULTS: Readonly<FaultSettings> = {
  rate429: 0,
  retryAfterSeconds: 1,
  rate5xx: 0,
  slowMs: 0,
  slowRate: 1,
  hangRate: 0,
  hangMs: 30_000,
  malformedRate: 0,
  schemaBreakRate: 0,
  updateWhilePagingRate: 0,
  tieRate: 0,
  lateCommitRate: 0,
  lateCommitMs: 20_000,
  liveRate: 0,
};

export const FAULT_PRESETS: Readonly<Record<string, Partial<FaultSettings>>> = {
  none: {},
  ties: { tieRate: 0.3 },
  flaky: { rate429: 0.1, rate5xx: 0.1, slowMs: 300, slowRate: 0.1 },
  dirty: { malformedRate: 0.1, schemaBreakRate: 0.05 },
  paging: { tieRate: 0.3, updateWhilePagingRate: 0.3 },
  chaos: {
    rate429: 0.1,
    rate5xx: 0.1,
    slowMs: 300,
    slowRate: 0.1,
    malformedRate: 0.1,
    schemaBreakRate: 0.05,
    updateWhilePagingRate: 0.3,
    tieRate: 0.3,
  },
  demo: { tieRate: 0.3, liveRate: 2 },
  late: { lateCommitRate: 0.2, lateCommitMs: 20_000 },
};

/**
 * Applies a JSON patch of settings over `base`. `preset` (a name, or several joined by
 * commas) starts from those presets instead of `base`; unknown names and out-of-range
 * values are rejected so a typo never silently turns a fault off.
 */
export function applyFaultPatch(base: Readonly<FaultSettings>, patch: unknown): FaultSettings {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new BadRequestError('faults must be a JSON object');
  const { preset, ...fields } = patch as Record<string, unknown>;
  const settings = preset === undefined ? { ...base } : fromPresets(preset);
  for (const [name, value] of Object.entries(fields)) {
    if (!isSettingName(name))
      throw new BadRequestError(
        `unknown fault setting "${name}"; known: preset, ${Object.keys(SETTING_BOUNDS).join(', ')}`,
      );
    settings[name] = checkedValue(name, value, SETTING_BOUNDS[name]);
  }
  return settings;
}

/** Reads `--faults`: a preset name (or `a,b`), or a JSON object as `/admin/faults` takes. */
export function parseFaultSpec(spec: string): FaultSettings {
  const trimmed = spec.trim();
  if (!trimmed.startsWith('{')) return fromPresets(trimmed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new BadRequestError(`faults is neither a preset name nor valid JSON: ${(error as Error).message}`);
  }
  return applyFaultPatch(NO_FAULTS, parsed);
}

function fromPresets(preset: unknown): FaultSettings {
  if (typeof preset !== 'string') throw new BadRequestError('preset must be a string');
  const settings = { ...NO_FAULTS };
  for (const name of preset.split(',').map((part) => part.trim())) {
    const values = Object.hasOwn(FAULT_PRESETS, name) ? FAULT_PRESETS[name] : undefined;
    if (values === undefined)
      throw new BadRequestError(`unknown fault preset "${name}"; known: ${Object.keys(FAULT_PRESETS).join(', ')}`);
    Object.assign(settings, values);
  }
  return settings;
}

function isSettingName(name: string): name is keyof FaultSettings {
  return Object.hasOwn(SETTING_BOUNDS, name);
}

function checkedValue(name: string, value: unknown, bounds: Bounds): number {
  const valid = typeof value === 'number' && Number.isFinite(value) && value >= bounds.min && value <= bounds.max;
  if (!valid || (bounds.integer === true && !Number.isInteger(value))) {
    const kind = bounds.integer === true ? 'an integer' : 'a number';
    throw new BadRequestError(`${name} must be ${kind} between ${bounds.min} and ${bounds.max}`);
  }
  return value;
}
