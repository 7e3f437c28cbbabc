import type { MSKRecord } from 'aws-lambda';
import type { ParkedItem } from '../../lib/fallback';
import type { StaleArchive } from '../archive/stale-archive';
import type { FailedBatches } from './failed-batches';
import type { ConsumerRedrivePlan, SkipReason } from './plan';
import type { Consume, ConsumerItems } from './ports';
import { eventOfRecord } from './saved-records';

export interface ConsumerRedriveDependencies {
  readonly parked: Pick<ConsumerItems, 'claim' | 'remove' | 'setStatus'>;
  readonly archive: Pick<StaleArchive, 'readLedger' | 'writeLedger'>;
  readonly failedBatches: Pick<FailedBatches, 'remove'>;
  readonly consume: Consume;
  readonly now: () => Date;
  /** Who re-drives: the claim's owner. */
  readonly operator: string;
}

export interface ConsumerRedriveReport {
  /** Dead letters written to raw, their items removed. */
  readonly redriven: number;
  /** Items the retry function held at the moment: left for the next run. */
  readonly busy: number;
  /** Items whose record the consumer dead-lettered again (their item stays). */
  readonly failedAgain: number;
  /** On-failure batches written to raw and removed from the destination. */
  readonly replayed: number;
  /** Records of those batches the consumer dead-lettered (now in the fallback table). */
  readonly replayDeadLettered: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
}

// Long enough for one record through the consumer core; a run that dies leaves the item to the retry function after it.
const CLAIM_MS = 5 * 60_000;

/**
 * Runs each planned record and batch through the consumer's own core, so the rows are flattened
 * and keyed exactly as the function writes them (a dead letter alone: topic-partition-offset-offset),
 * and only once the row is in raw removes the fallback item or the on-failure object.
 */
export async function applyConsumerRedrive(
  deps: ConsumerRedriveDependencies,
  plan: ConsumerRedrivePlan,
): Promise<ConsumerRedriveReport> {
  const counts = { redriven: 0, busy: 0, failedAgain: 0, replayed: 0, replayDeadLettered: 0 };
  const fromArchives = new Map<string, string[]>();
  for (const letter of plan.deadLetters) {
    if (letter.action !== 'redrive') continue;
    if (letter.origin.kind === 'table') {
      counts[await redriveDeadLetter(deps, letter.origin.item, letter.record)] += 1;
      continue;
    }
    // Its item is gone (archived): the row in raw, or a new item if the consumer parks it again.
    const summary = await deps.consume(eventOfRecord(letter.record, 'ops:redrive-consumer'));
    counts[summary.deadLettered > 0 ? 'failedAgain' : 'redriven'] += 1;
    fromArchives.set(letter.origin.key, [...(fromArchives.get(letter.origin.key) ?? []), letter.letter.eventId]);
  }
  for (const [key, eventIds] of fromArchives) await recordInLedger(deps, key, eventIds);
  for (const batch of plan.batches) {
    if (batch.action !== 'replay') continue;
    const summary = await deps.consume(batch.event);
    await deps.failedBatches.remove(batch.key);
    counts.replayed += 1;
    counts.replayDeadLettered += summary.deadLettered;
  }
  return { ...counts, skipped: plan.skipped };
}

async function redriveDeadLetter(
  deps: ConsumerRedriveDependencies,
  item: ParkedItem,
  record: MSKRecord,
): Promise<'redriven' | 'busy' | 'failedAgain'> {
  const now = deps.now();
  if (
    !(await deps.parked.claim(item, deps.operator, now.toISOString(), new Date(now.getTime() + CLAIM_MS).toISOString()))
  )
    return 'busy';
  const summary = await deps.consume(eventOfRecord(record, 'ops:redrive-consumer'));
  if (summary.deadLettered > 0) {
    await deps.parked.setStatus(item, item.status, item.status, {}, deps.operator);
    return 'failedAgain';
  }
  return (await deps.parked.remove(item, deps.operator)) ? 'redriven' : 'busy';
}

/** The archive's ledger (shared with redrive-stale, which never takes the consumer's events), so a second run skips them. */
async function recordInLedger(
  deps: ConsumerRedriveDependencies,
  key: string,
  eventIds: readonly string[],
): Promise<void> {
  const ledger = (await deps.archive.readLedger(key)) ?? { archive: key, redriven: {} };
  const at = deps.now().toISOString();
  const redriven = { ...ledger.redriven };
  for (const eventId of eventIds) redriven[eventId] ??= { at, by: deps.operator };
  await deps.archive.writeLedger(key, { archive: key, redriven });
}
