import type { Position } from '../checkpoint';
import { BadRequestError } from '../errors';
import { type PaginationLimits, pagesOf, type Source, type SourceEntry } from '../source';

/**
 * A bounded backfill: the changes with `from <= updatedAt < to` read again from the source into
 * Kafka, beside the live polling. It has its own cursor (a checkpoint of its own, keyed by the
 * window, so a stopped backfill of the same window resumes where it stopped) and never moves the
 * live checkpoint.
 */
export interface BackfillWindow {
  readonly from: string;
  readonly to: string;
}

/** The key of a window's cursor in the checkpoint store: beside the entity's own, never equal to an entity name. */
export function backfillCursorKey(entity: string, window: BackfillWindow): string {
  return `${entity}#backfill#${window.from}#${window.to}`;
}

/** Where a window's first run starts: at `from`, with nothing handed off there yet (the source's `updatedSince` is inclusive). */
export function backfillStart(window: BackfillWindow): Position {
  return { updatedAt: window.from, eventIdsAtUpdatedAt: [] };
}

/**
 * A page cut at the window's end. The source sorts by `(updatedAt, id)`, so the first change at
 * or after `to` ends the window: it and everything after it are left out (they are the live
 * run's), and `ended` says the window is done. Malformed entries before it stay (they are in the
 * window as far as the page's order tells).
 */
export function cutAtWindowEnd(
  entries: readonly SourceEntry[],
  window: BackfillWindow,
): { entries: readonly SourceEntry[]; ended: boolean } {
  const end = entries.findIndex((e) => e.kind === 'change' && e.change.updatedAt >= window.to);
  return end === -1 ? { entries, ended: false } : { entries: entries.slice(0, end), ended: true };
}

/** What a dry run found in a window, without handing anything off. */
export interface BackfillCount {
  readonly entity: string;
  readonly window: BackfillWindow;
  readonly dryRun: true;
  readonly pages: number;
  /** Changes in the window (each record once, in its latest version: the source serves no other). */
  readonly changes: number;
  readonly keys: number;
  readonly malformed: number;
  readonly firstUpdatedAt: string | null;
  readonly lastUpdatedAt: string | null;
  /** False when the time budget ended the count before the window's end: the figures are then a lower bound. */
  readonly complete: boolean;
}

/** Pages through the window and counts it: no lease, no cursor, nothing published or parked. */
export async function countWindow(
  source: Source,
  entity: string,
  window: BackfillWindow,
  limits: PaginationLimits,
): Promise<BackfillCount> {
  const keys = new Set<string>();
  let pages = 0;
  let changes = 0;
  let malformed = 0;
  let first: string | null = null;
  let last: string | null = null;
  // Complete when the window's end or the source's last page was read, not when the time budget stopped it.
  let complete = false;
  for await (const page of pagesOf(source, entity, window.from, limits)) {
    pages += 1;
    const cut = cutAtWindowEnd(page.entries, window);
    for (const entry of cut.entries) {
      if (entry.kind !== 'change') {
        malformed += 1;
        continue;
      }
      changes += 1;
      keys.add(entry.change.id);
      first ??= entry.change.updatedAt;
      last = entry.change.updatedAt;
    }
    complete = cut.ended || page.nextPageToken === null;
    if (cut.ended) break;
  }
  return {
    entity,
    window,
    dryRun: true,
    pages,
    changes,
    keys: keys.size,
    malformed,
    firstUpdatedAt: first,
    lastUpdatedAt: last,
    complete,
  };
}

/** A backfill asked of the poller: `{ "entity": …, "backfill": { "from": …, "to": …, "dryRun"?: true } }`. */
export interface BackfillRequest extends BackfillWindow {
  readonly dryRun: boolean;
}

/**
 * The event's `backfill`, checked: ISO-8601 UTC instants (normalised to milliseconds, as the
 * source's `updatedAt`), `from` before `to`, and `to` not in the future (the live run's part).
 */
export function parseBackfill(raw: unknown, now: Date): BackfillRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new BadRequestError('backfill must be an object: {"from": <ISO time>, "to": <ISO time>, "dryRun"?: true}');
  const { from, to, dryRun } = raw as Record<string, unknown>;
  const instant = (name: string, value: unknown): string => {
    const millis = typeof value === 'string' && /[zZ]|[+-]\d{2}:\d{2}$/.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(millis))
      throw new BadRequestError(`backfill.${name} must be an ISO-8601 time with a zone, got ${JSON.stringify(value)}`);
    return new Date(millis).toISOString();
  };
  const window = { from: instant('from', from), to: instant('to', to) };
  if (!(window.from < window.to))
    throw new BadRequestError(`backfill.from (${window.from}) must be before backfill.to (${window.to})`);
  if (window.to > now.toISOString())
    throw new BadRequestError(
      `backfill.to (${window.to}) is in the future: the live polling reads what is not there yet`,
    );
  if (dryRun !== undefined && typeof dryRun !== 'boolean')
    throw new BadRequestError(`backfill.dryRun must be true or false, got ${JSON.stringify(dryRun)}`);
  return { ...window, dryRun: dryRun === true };
}
