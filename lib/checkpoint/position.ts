/**
 * A tie-safe position in a source whose `updatedSince` is inclusive and whose timestamps are not
 * unique: the low watermark plus the eventIds already handed off AT that timestamp. The next
 * run re-queries from the watermark (inclusively) and skips exactly those events, so a page
 * that ended inside a run of equal timestamps loses nothing and repeats nothing.
 */
export interface Position {
  readonly updatedAt: string;
  readonly eventIdsAtUpdatedAt: readonly string[];
  /** With a lookback window: what was handed off behind the watermark (see HandedOffWindow). */
  readonly window?: HandedOffWindow;
}

/**
 * A lookback window (late commits): each run reads again from `updatedAt − lookback`, and this
 * record of what was handed off behind the watermark, within the lookback, tells a change seen
 * before (skipped) from a late one (delivered). It is bounded to fit the checkpoint item; past the
 * bound its oldest timestamps are dropped, and a change of those is delivered again (at least once,
 * never lost).
 */
export interface HandedOffWindow {
  /** The eventIds handed off at each `updatedAt` before the watermark (the tie list holds the watermark's). */
  readonly ids: Readonly<Record<string, readonly string[]>>;
  /** Changes before this time that are not listed may have been handed off (not recorded, or dropped past the bound). */
  readonly unknownBefore?: string;
}

/** The lookback of a run, and how many ids (the tie list's, the window's, one per window timestamp) a checkpoint holds. */
export interface Lookback {
  readonly lookbackMs: number;
  readonly maxIds: number;
}

export const START_OF_TIME: Position = { updatedAt: '1970-01-01T00:00:00.000Z', eventIdsAtUpdatedAt: [] };

export interface Progress {
  readonly updatedAt: string;
  readonly eventId: string;
  /** Acknowledged by Kafka or written to the fallback table. */
  readonly handedOff: boolean;
}

/** What a position knows of a change read again (see seenBefore). */
export type Seen = 'new' | 'duplicate' | 'late' | 'unknown';

/** True for an event the position says was handed off already (an exact duplicate). */
export function alreadyHandedOff(position: Position, updatedAt: string, eventId: string): boolean {
  return seenBefore(position, updatedAt, eventId) === 'duplicate';
}

/**
 * What the position knows of a change read again: `new` (after the watermark, or in its tie and
 * not listed), `duplicate` (listed: handed off already), `late` (behind the watermark and surely
 * not handed off: a late commit), `unknown` (behind the watermark where nothing is recorded: it
 * is delivered again, at least once). For one change; a page asks handedOffLookup.
 */
export function seenBefore(position: Position, updatedAt: string, eventId: string): Seen {
  return classify(position, updatedAt, (ids) => ids?.includes(eventId) === true);
}

/**
 * seenBefore for the many changes of one page read against one position: each timestamp's list
 * becomes a set the first time it is asked about, so a page of 500 inside a 5,000-id tie builds
 * the set once instead of scanning the list 500 times.
 */
export function handedOffLookup(position: Position): (updatedAt: string, eventId: string) => Seen {
  const sets = new Map<string, ReadonlySet<string>>();
  return (updatedAt, eventId) =>
    classify(position, updatedAt, (ids) => {
      if (ids === undefined) return false;
      let set = sets.get(updatedAt);
      if (set === undefined) sets.set(updatedAt, (set = new Set(ids)));
      return set.has(eventId);
    });
}

/** The rule of seenBefore, given how to tell whether the change is in the ids listed at its `updatedAt`. */
function classify(
  position: Position,
  updatedAt: string,
  listed: (ids: readonly string[] | undefined) => boolean,
): Seen {
  if (updatedAt > position.updatedAt) return 'new';
  if (updatedAt === position.updatedAt) return listed(position.eventIdsAtUpdatedAt) ? 'duplicate' : 'new';
  const window = position.window;
  if (listed(window?.ids[updatedAt])) return 'duplicate';
  const unknownBefore = window === undefined ? position.updatedAt : window.unknownBefore;
  return unknownBefore !== undefined && updatedAt < unknownBefore ? 'unknown' : 'late';
}

/** Where a run reads from: the watermark, or `lookbackMs` before it (never before START_OF_TIME). */
export function readFrom(position: Position, lookbackMs: number): string {
  if (lookbackMs <= 0) return position.updatedAt;
  const from = Date.parse(position.updatedAt) - lookbackMs;
  return from <= Date.parse(START_OF_TIME.updatedAt) ? START_OF_TIME.updatedAt : new Date(from).toISOString();
}

/**
 * The position after a run: it moves over the longest prefix of events (in source order) that
 * were all handed off, never past one that was not, and never backwards. With a lookback, it
 * also records what was handed off behind the new watermark within the lookback (the window).
 */
export function advance(position: Position, events: readonly Progress[], lookback?: Lookback): Position {
  let updatedAt = position.updatedAt;
  let tie = position.eventIdsAtUpdatedAt;
  // The tie grows in a set made on its first added id (a Set keeps first-insertion order, the
  // list's), not in a list copied per event: a page inside a 5,000-id tie stays linear.
  let grown: Set<string> | undefined;
  for (const event of events) {
    if (!event.handedOff) break;
    if (event.updatedAt < updatedAt) continue;
    if (event.updatedAt === updatedAt) (grown ??= new Set(tie)).add(event.eventId);
    else {
      updatedAt = event.updatedAt;
      tie = [event.eventId];
      grown = undefined;
    }
  }
  let next: Position = { updatedAt, eventIdsAtUpdatedAt: grown === undefined ? tie : [...grown] };
  const window =
    lookback !== undefined && lookback.lookbackMs > 0 ? behind(position, next, events, lookback) : undefined;
  if (window !== undefined) next = { ...next, window };
  return samePosition(next, position) ? position : next;
}

/** The window behind `next`'s watermark: the old one, the old tie, and this run's handed-off changes before the watermark; pruned and bounded. */
function behind(position: Position, next: Position, events: readonly Progress[], lookback: Lookback): HandedOffWindow {
  const ids = new Map<string, Set<string>>();
  const note = (updatedAt: string, eventId: string): void => {
    if (updatedAt >= next.updatedAt) return;
    if (!ids.has(updatedAt)) ids.set(updatedAt, new Set());
    ids.get(updatedAt)!.add(eventId);
  };
  for (const [updatedAt, listed] of Object.entries(position.window?.ids ?? {}))
    for (const id of listed) note(updatedAt, id);
  for (const id of position.eventIdsAtUpdatedAt) note(position.updatedAt, id);
  for (const event of events) if (event.handedOff) note(event.updatedAt, event.eventId);
  // A position without a window knows nothing of what was handed off before its watermark.
  let unknownBefore = position.window === undefined ? position.updatedAt : position.window.unknownBefore;
  const floor = readFrom(next, lookback.lookbackMs);
  const inLookback = [...ids.keys()].filter((updatedAt) => updatedAt >= floor).sort();
  let slots = next.eventIdsAtUpdatedAt.length + inLookback.reduce((n, at) => n + 1 + ids.get(at)!.size, 0);
  let dropped = 0;
  while (slots > lookback.maxIds && dropped < inLookback.length) {
    slots -= 1 + ids.get(inLookback[dropped]!)!.size;
    dropped += 1;
    unknownBefore = inLookback[dropped] ?? next.updatedAt;
  }
  const kept = inLookback.slice(dropped);
  if (unknownBefore !== undefined && unknownBefore <= floor) unknownBefore = undefined;
  // Even empty, it says this position was saved with a lookback (so what is not listed was not handed off).
  return {
    ids: Object.fromEntries(kept.map((at) => [at, [...ids.get(at)!]])),
    ...(unknownBefore === undefined ? {} : { unknownBefore }),
  };
}

function samePosition(a: Position, b: Position): boolean {
  return (
    a.updatedAt === b.updatedAt &&
    a.eventIdsAtUpdatedAt.length === b.eventIdsAtUpdatedAt.length &&
    a.eventIdsAtUpdatedAt.every((id, i) => id === b.eventIdsAtUpdatedAt[i]) &&
    JSON.stringify(a.window ?? null) === JSON.stringify(b.window ?? null)
  );
}

/** Positions compare by watermark, then by how much of the watermark's tie is covered. */
export function isBehind(candidate: Position, current: Position): boolean {
  if (candidate.updatedAt !== current.updatedAt) return candidate.updatedAt < current.updatedAt;
  const covered = new Set(candidate.eventIdsAtUpdatedAt);
  return !current.eventIdsAtUpdatedAt.every((id) => covered.has(id));
}
