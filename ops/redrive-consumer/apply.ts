import type { ParkedItem } from '../../lib/redrive';
import type { FailedBatches } from './failed-batches';
import type { ConsumerRedrivePlan, SkipReason } from './plan';
import type { Consume, ConsumerItems } from './ports';
import { eventOfRecord } from './saved-records';

export interface ConsumerRedriveDependencies {
  readonly parked: Pick<ConsumerItems, 'claim' | 'remove' | 'setStatus'>;
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
export async function applyConsumerRedrive(deps: ConsumerRedriveDependencies, plan: ConsumerRedrivePlan): Promise<ConsumerRedriveReport> {
  const counts = { redriven: 0, busy: 0, failedAgain: 0, replayed: 0, replayDeadLettered: 0 };
  for (const letter of plan.deadLetters) if (letter.action === 'redrive') counts[await redriveDeadLetter(deps, letter.item, letter.record)] += 1;
  for (const batch of plan.batches) {
    if (batch.action !== 'replay') continue;
    const summary = await deps.consume(batch.event);
    await deps.failedBatches.remove(batch.key);
    counts.replayed += 1;
    counts.replayDeadLettered += summary.deadLettered;
  }
  return { ...counts, skipped: plan.skipped };
}

async function redriveDeadLetter(deps: ConsumerRedriveDependencies, item: ParkedItem, record: Parameters<typeof eventOfRecord>[0]): Promise<'redriven' | 'busy' | 'failedAgain'> {
  const now = deps.now();
  if (!(await deps.parked.claim(item, deps.operator, now.toISOString(), new Date(now.getTime() + CLAIM_MS).toISOString()))) return 'busy';
  const summary = await deps.consume(eventOfRecord(record, 'ops:redrive-consumer'));
  if (summary.deadLettered > 0) {
    await deps.parked.setStatus(item, item.status, item.status, {}, deps.operator);
    return 'failedAgain';
  }
  return (await deps.parked.remove(item, deps.operator)) ? 'redriven' : 'busy';
}
