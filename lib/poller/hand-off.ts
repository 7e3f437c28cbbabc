import type { ParkedEvent } from '../fallback';
import { changeMessage, KafkaRefusedError, KafkaUnavailableError } from '../publish';
import type { KeySet } from './parked-keys';
import { type PagePlan, parkedEvent } from './page-plan';
import type { PollDependencies, PollRequest, PollSummary } from './poll-entity';
import type { ParkedIndexLag } from './recent-parks';

/**
 * One run of the poller over one entity: what it was given, what it knows of the parked keys
 * (which each page's hand-off adds to), and the summary the hand-offs count into.
 */
export interface PollRun {
  readonly deps: PollDependencies;
  readonly request: PollRequest;
  readonly keys: KnownKeys;
  readonly summary: PollSummary;
}

/** What the run knows of the keys parked in the fallback table. */
export interface KnownKeys {
  readonly retriableKeys: KeySet;
  readonly ambiguousKeys: KeySet;
  /** Keys the index may not show yet: their items are read consistently before a newer change is published. */
  readonly lag: ParkedIndexLag;
}

/**
 * Parks what the plan parks, then publishes the valid events; a Kafka failure parks those as
 * RETRIABLE instead. Parking first means a newer valid event of a key can supersede an
 * ambiguous one from the same page. Superseding happens before publishing, so a crash in
 * between cannot leave an older ambiguous event that the retry function would publish after
 * the newer one; a key whose older event the retry function revived waits behind it instead.
 * A parking failure fails the run before the checkpoint moves.
 */
export async function handOff(run: PollRun, plan: PagePlan, at: string): Promise<void> {
  const { deps, request, summary } = run;
  const { retriableKeys, ambiguousKeys, lag } = run.keys;
  await park(run, plan.park);
  const publish: PagePlan['publish'] = [];
  const behind: ParkedEvent[] = [];
  for (const p of plan.publish) {
    const checked = !retriableKeys.has(p.record.id) && (ambiguousKeys.has(p.record.id) || lag.isUnsure(p.record.id));
    const blocked =
      retriableKeys.has(p.record.id) ||
      (checked && (await deps.fallback.supersedeAmbiguous(request.entity, p.record.id, p.record.updatedAt)).blocked);
    if (checked) lag.settle(p.record.id);
    if (blocked) {
      behind.push(
        parkedEvent(
          p.record,
          { entity: request.entity, now: at },
          'RETRIABLE',
          'PARKED_BEHIND_KEY',
          `key ${p.record.id} has an older event waiting to be re-sent; this newer event waits behind it`,
        ),
      );
      retriableKeys.add(p.record.id);
    } else publish.push(p);
  }
  await park(run, behind);
  try {
    await deps.publisher.publish(
      request.topic,
      publish.map((p) => changeMessage(request.entity, p.record, p.schemaVersionId, p.bytes)),
    );
    summary.published += publish.length;
  } catch (error) {
    if (!(error instanceof KafkaUnavailableError) && !(error instanceof KafkaRefusedError)) throw error;
    // What Kafka acknowledged before the failure is on the topic: only the rest is parked.
    summary.published += error.acknowledged;
    const reason = error instanceof KafkaRefusedError ? 'KAFKA_REFUSED' : 'KAFKA_UNAVAILABLE';
    const rest = publish.slice(error.acknowledged);
    deps.log.warn(
      reason === 'KAFKA_REFUSED'
        ? "Kafka refused the page's events: parking them as RETRIABLE"
        : "Kafka unavailable: parking the page's events as RETRIABLE",
      { entity: request.entity, events: rest.length, error },
    );
    const unpublished = rest.map((p) =>
      parkedEvent(p.record, { entity: request.entity, now: at }, 'RETRIABLE', reason, error.message),
    );
    await park(run, unpublished);
  }
  summary.fetched += plan.changes.length;
  summary.duplicates += plan.duplicates;
  summary.lateChanges += plan.lateChanges;
  summary.redelivered += plan.redelivered;
}

async function park(run: PollRun, events: ParkedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const { deps, summary, keys } = run;
  const { retriableKeys, ambiguousKeys } = keys;
  await keys.lag.beforePark(
    events.filter((e) => e.status === 'RETRIABLE' || e.status === 'AMBIGUOUS').map((e) => e.id),
    deps.now?.() ?? new Date(),
  );
  await deps.fallback.park(events);
  for (const p of events) {
    summary.parked[p.reason] = (summary.parked[p.reason] ?? 0) + 1;
    if (p.status === 'RETRIABLE') retriableKeys.add(p.id);
    if (p.status === 'AMBIGUOUS') ambiguousKeys.add(p.id);
  }
}
