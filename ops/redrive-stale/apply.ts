import type { ArchivedItem, ParkedEvent, RestoreStore } from '../../lib/fallback';
import type { RedriveLedger, StaleArchive } from '../archive/stale-archive';
import type { ArchivePlan, SkipReason, StaleRedrivePlan } from './plan';

export interface StaleRedriveDependencies {
  readonly archive: Pick<StaleArchive, 'readLedger' | 'writeLedger'>;
  readonly target: RestoreStore;
  readonly now: () => Date;
  /** Who re-drives, recorded on every item and in the ledger. */
  readonly operator: string;
}

export interface ArchiveOutcome {
  readonly key: string;
  readonly location: string;
  readonly restored: number;
  /** Events whose item was in the table already (e.g. a run that stopped before writing the ledger). */
  readonly alreadyInTable: number;
}

export interface StaleRedriveReport {
  readonly archives: ArchiveOutcome[];
  readonly restored: number;
  readonly alreadyInTable: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
}

/**
 * Puts the plan's events back into the fallback table as AMBIGUOUS items that are due now, with
 * attempts and first-seen time reset (the stale limits count again from now), under the key they
 * had, never over an item that is there. Then records them in the archive's ledger, so running
 * again after the retry function has drained them does not put them back a second time.
 */
export async function applyStaleRedrive(
  deps: StaleRedriveDependencies,
  plan: StaleRedrivePlan,
): Promise<StaleRedriveReport> {
  const archives: ArchiveOutcome[] = [];
  for (const archive of plan.archives) archives.push(await redriveArchive(deps, archive));
  return {
    archives,
    restored: archives.reduce((n, a) => n + a.restored, 0),
    alreadyInTable: archives.reduce((n, a) => n + a.alreadyInTable, 0),
    skipped: plan.skipped,
  };
}

async function redriveArchive(deps: StaleRedriveDependencies, archive: ArchivePlan): Promise<ArchiveOutcome> {
  const at = deps.now().toISOString();
  const events = archive.events.flatMap((e) => (e.action === 'restore' ? [e.event] : []));
  let restored = 0;
  for (const event of events)
    if (
      await deps.target.parkIfAbsent(
        restoredEvent(event, at, archive.location),
        redriveNote(event, at, archive.location, deps.operator),
      )
    )
      restored += 1;
  if (events.length > 0) await recordInLedger(deps, archive.key, events, at);
  return { key: archive.key, location: archive.location, restored, alreadyInTable: events.length - restored };
}

/** A fresh AMBIGUOUS item: the retry function's next sweep re-validates it against the latest schema and sends it if valid. */
export function restoredEvent(event: ArchivedItem, at: string, location: string): ParkedEvent {
  return {
    entity: event.entity,
    id: event.id,
    updatedAt: event.updatedAt,
    eventId: event.eventId,
    payload: event.payload,
    status: 'AMBIGUOUS',
    reason: event.reason,
    attempts: 0,
    firstSeenAt: at,
    nextAttemptAt: at,
    error: `re-driven from ${location}; archived as STALE${event.staleBecause ? ` (${event.staleBecause})` : ''}; last error: ${event.error}`,
  };
}

function redriveNote(event: ArchivedItem, at: string, location: string, operator: string): Record<string, string> {
  return { redrivenFrom: location, redrivenAt: at, redrivenBy: operator, originalFirstSeenAt: event.firstSeenAt };
}

async function recordInLedger(
  deps: StaleRedriveDependencies,
  key: string,
  events: readonly ArchivedItem[],
  at: string,
): Promise<void> {
  const ledger: RedriveLedger = (await deps.archive.readLedger(key)) ?? { archive: key, redriven: {} };
  const redriven = { ...ledger.redriven };
  for (const event of events) redriven[event.eventId] ??= { at, by: deps.operator };
  await deps.archive.writeLedger(key, { archive: key, redriven });
}
