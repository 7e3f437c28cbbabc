import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RawStore } from '../consumer';
import type { AlertPort } from './alerts';
import { archiveAndAlert, type ArchiveSummary } from './archive';
import { type DrainSummary, drainKey, emptyDrainSummary, type RedriveDependencies } from './drain-key';
import type { ParkedItem } from './parked-item';
import type { RedrivePolicy } from './policy';

export interface SweepDependencies extends RedriveDependencies {
  readonly archive: RawStore;
  readonly alerts: AlertPort;
  readonly stage: string;
}

export interface SweepSummary extends DrainSummary, ArchiveSummary {
  keys: number;
  kafkaDown: boolean;
  /** Keys whose drain threw (an AWS error, say): left as they were, for the next sweep or the stream. */
  keyFailures: number;
  /** The first of those errors, for the operator's log. */
  keyError?: string;
}

/**
 * The scheduled sweep: drains the keys with events due (found through the status/next-attempt
 * index, never a scan), a few keys at a time, stopping early when Kafka is down; then archives
 * and alerts on what is stale or superseded. A key whose drain throws is counted and left for
 * the next sweep; it never stops the other keys, and no work outlives the sweep (the caller
 * may close the producer as soon as it returns).
 */
export async function sweep(deps: SweepDependencies, policy: RedrivePolicy): Promise<SweepSummary> {
  const now = deps.now().toISOString();
  const due = [...(await deps.store.due('RETRIABLE', now, policy.sweepBatchSize)), ...(await deps.store.due('AMBIGUOUS', now, policy.sweepBatchSize))];
  const keys = [...new Map(due.map((i) => [i.pk, i] as const)).values()];
  const summary = emptyDrainSummary();
  const failures = { count: 0, first: undefined as string | undefined };
  let kafkaDown = false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!kafkaDown && next < keys.length) {
      const item = keys[next++]!;
      try {
        if (!(await drainKey(item.entity, item.id, deps, policy, summary))) kafkaDown = true;
      } catch (error) {
        failures.count += 1;
        failures.first ??= `${item.entity} ${item.id}: ${(error as Error).message}`;
        deps.log.error('draining a key failed; the next sweep tries it again', { entity: item.entity, id: item.id, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(policy.concurrency, keys.length) }, worker));
  const archived = await archiveAndAlert(deps, policy.sweepBatchSize);
  return { ...summary, ...archived, keys: keys.length, kafkaDown, keyFailures: failures.count, ...(failures.first === undefined ? {} : { keyError: failures.first }) };
}

/**
 * The fallback table's stream: every new or changed RETRIABLE item that is due and unclaimed gets
 * its key drained right away. A record whose key fails (an AWS error, not Kafka being down:
 * that is rescheduled) is reported, and Lambda redelivers from it.
 */
export async function onStream(records: readonly DynamoDBRecord[], deps: RedriveDependencies, policy: RedrivePolicy): Promise<{ summary: DrainSummary; failures: string[] }> {
  const summary = emptyDrainSummary();
  const drained = new Set<string>();
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (image === undefined) continue;
    const item = unmarshall(image as Record<string, AttributeValue>) as ParkedItem;
    const now = deps.now().toISOString();
    if (item.status !== 'RETRIABLE' || item.nextAttemptAt > now || (item.claimUntil !== undefined && item.claimUntil >= now) || drained.has(item.pk)) continue;
    drained.add(item.pk);
    try {
      if (!(await drainKey(item.entity, item.id, deps, policy, summary))) break;
    } catch (error) {
      deps.log.error('draining a key failed; reporting the record for redelivery', { entity: item.entity, id: item.id, error });
      return { summary, failures: [record.dynamodb?.SequenceNumber ?? ''] };
    }
  }
  return { summary, failures: [] };
}
