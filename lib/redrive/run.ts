import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AlertPort } from './alerts';
import { archiveAndAlert, type ArchiveSummary } from './archive';
import { drainKeys } from './drain-batch';
import { type DrainRun, type DrainSummary, drainKey, emptyDrainSummary, type RedriveDependencies } from './drain-key';
import type { DueCursor, ParkedItem, StaleArchiveWriter } from '../fallback';
import type { RedrivePolicy } from './policy';

/** How long a sweep may go on: it starts no key when fewer than `reserveMs` are left. */
export interface SweepBudget {
  readonly timeLeftMs: () => number;
  readonly reserveMs: number;
}

export interface SweepDependencies extends RedriveDependencies {
  readonly archive: StaleArchiveWriter;
  readonly alerts: AlertPort;
  readonly stage: string;
  /** Without one, a sweep goes on until no due work is left. */
  readonly budget?: SweepBudget;
  /** Starts another sweep, for the due work this one had no time left for. */
  readonly chain?: () => Promise<void>;
}

export interface SweepSummary extends DrainSummary, ArchiveSummary {
  keys: number;
  kafkaDown: boolean;
  /** Keys whose drain threw (an AWS error, say): left as they were, for the next sweep or the stream. */
  keyFailures: number;
  /** The first of those errors, for the operator's log. */
  keyError?: string;
  /** Batches of due items read. */
  rounds: number;
  stoppedBecause: 'drained' | 'time' | 'kafka down';
  /** Another sweep was started for the due work left. */
  chained: boolean;
  /** When the longest-waiting of the due items this sweep read was first parked (its metric: the backlog's age). */
  oldestDueParkedAt?: string;
}

type DueStatus = 'RETRIABLE' | 'AMBIGUOUS';

/**
 * The scheduled sweep: walks the items due when it started (through the status/next-attempt
 * index, never a scan) batch after batch, draining their keys a few at a time, until none is
 * left, Kafka is down, or its time runs short; then it chains another sweep for the rest, and
 * archives and alerts on what is stale or superseded. A backlog therefore drains at the speed
 * of Kafka and DynamoDB, not one batch per schedule tick. Each key is taken once per sweep: one
 * held by another invocation is passed over, not asked for again. A key whose drain throws is
 * counted and left for the next sweep; it never stops the other keys, and no work outlives the
 * sweep (the caller may close the producer as soon as it returns).
 */
export async function sweep(deps: SweepDependencies, policy: RedrivePolicy): Promise<SweepSummary> {
  const now = deps.now().toISOString();
  const cursors = new Map<DueStatus, { after?: DueCursor }>([
    ['RETRIABLE', {}],
    ['AMBIGUOUS', {}],
  ]);
  const taken = new Set<string>();
  const run: DrainRun = { deps, policy, summary: emptyDrainSummary() };
  const { summary } = run;
  const failures = { count: 0, first: undefined as string | undefined };
  const timeShort = (): boolean => deps.budget !== undefined && deps.budget.timeLeftMs() <= deps.budget.reserveMs;
  let kafkaDown = false;
  let rounds = 0;
  let oldestDue: string | undefined;
  let stoppedBecause: SweepSummary['stoppedBecause'] = 'drained';
  while (cursors.size > 0) {
    if (timeShort()) {
      stoppedBecause = 'time';
      break;
    }
    const due: ParkedItem[] = [];
    for (const [status, cursor] of cursors) {
      const page = await deps.store.due(status, now, policy.sweepBatchSize, cursor.after);
      due.push(...page.items);
      if (page.after === undefined) cursors.delete(status);
      else cursor.after = page.after;
    }
    rounds += 1;
    for (const item of due) if (oldestDue === undefined || item.firstSeenAt < oldestDue) oldestDue = item.firstSeenAt;
    const keys = [...new Map(due.filter((i) => !taken.has(i.pk)).map((i) => [i.pk, i] as const)).values()];
    keys.forEach((i) => taken.add(i.pk));
    const drained = await drainKeys(
      run,
      keys.map((i) => ({ entity: i.entity, id: i.id })),
      policy.concurrency,
      () => {
        if (timeShort()) stoppedBecause = 'time';
        return stoppedBecause === 'time';
      },
    );
    kafkaDown = drained.kafkaDown;
    for (const { key, error } of drained.failures) {
      failures.count += 1;
      failures.first ??= `${key.entity} ${key.id}: ${(error as Error).message}`;
      deps.log.error('draining a key failed; the next sweep tries it again', { entity: key.entity, id: key.id, error });
    }
    if (kafkaDown) stoppedBecause = 'kafka down';
    if (stoppedBecause !== 'drained') break;
  }
  const chained = stoppedBecause === 'time' && (await chainAnother(deps));
  const archived = await archiveAndAlert(deps, policy.sweepBatchSize);
  return {
    ...summary,
    ...archived,
    keys: taken.size,
    kafkaDown,
    keyFailures: failures.count,
    ...(failures.first === undefined ? {} : { keyError: failures.first }),
    rounds,
    stoppedBecause,
    chained,
    ...(oldestDue === undefined ? {} : { oldestDueParkedAt: oldestDue }),
  };
}

/** A chain that cannot be started is logged: the next scheduled sweep takes the work up. */
async function chainAnother(deps: SweepDependencies): Promise<boolean> {
  if (deps.chain === undefined) return false;
  try {
    await deps.chain();
    return true;
  } catch (error) {
    deps.log.error('could not start another sweep; the next scheduled one goes on', { error });
    return false;
  }
}

/**
 * The fallback table's stream: every new or changed RETRIABLE item that is due and unclaimed gets
 * its key drained right away. A record whose key fails (an AWS error, not Kafka being down:
 * that is rescheduled) is reported, and Lambda redelivers from it.
 */
export async function onStream(
  records: readonly DynamoDBRecord[],
  deps: RedriveDependencies,
  policy: RedrivePolicy,
): Promise<{ summary: DrainSummary; failures: string[] }> {
  const run: DrainRun = { deps, policy, summary: emptyDrainSummary() };
  const { summary } = run;
  const drained = new Set<string>();
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (image === undefined) continue;
    const item = unmarshall(image as Record<string, AttributeValue>) as ParkedItem;
    const now = deps.now().toISOString();
    if (
      item.status !== 'RETRIABLE' ||
      item.nextAttemptAt > now ||
      (item.claimUntil !== undefined && item.claimUntil >= now) ||
      drained.has(item.pk)
    )
      continue;
    drained.add(item.pk);
    try {
      if (!(await drainKey(run, item.entity, item.id))) break;
    } catch (error) {
      deps.log.error('draining a key failed; reporting the record for redelivery', {
        entity: item.entity,
        id: item.id,
        error,
      });
      return { summary, failures: [record.dynamodb?.SequenceNumber ?? ''] };
    }
  }
  return { summary, failures: [] };
}
