import type { StoredCheckpoint } from '../../lib/checkpoint';
import { ago, humanDuration } from '../text/durations';
import type { BackfillCount, PollSummary } from '../../lib/poller';
import type { BackfillOutcome, BackfillRequest } from './backfill';
import type { ReplayOutcome, ReplayPlan } from './replay';

export function formatReplayPlan(plan: ReplayPlan, stage: string, now: Date): string {
  const current = plan.current;
  const span =
    current === undefined
      ? ''
      : ` (${humanDuration((Date.parse(current.position.updatedAt) - Date.parse(plan.from)) / 1000)} of source time again)`;
  return [
    `Replay ${plan.entity} on stage ${stage}`,
    `  checkpoint now:   ${current === undefined ? 'none (never polled: the next run starts at the beginning anyway)' : describeCheckpoint(current, now)}`,
    `  after the reset:  ${plan.from}, no eventIds at that time, version ${(current?.version ?? 0) + 1}`,
    `  The next poller run of ${plan.entity} re-reads every change with updatedAt >= ${plan.from}${span}.`,
    '  Changes Kafka already has are published again. That is harmless: consumers de-duplicate by eventId',
    '  (header cdc-event-id), and the Spark jobs keep one change per id by (updatedAt, eventId).',
    '  A poller run in flight now stops at its next checkpoint save; it cannot write its older position over the reset.',
  ].join('\n');
}

export function formatReplayOutcome(outcome: ReplayOutcome, stage: string): string {
  const was =
    outcome.before === undefined
      ? 'there was none'
      : `was ${outcome.before.position.updatedAt}, version ${outcome.before.version}`;
  const next =
    stage === 'local'
      ? `The poller's schedule re-polls from there (now: npm run local:run -- --once --fire 'poller={"entity":"${outcome.entity}"}').`
      : 'The next scheduled poller run re-polls from there.';
  return [
    `Checkpoint of ${outcome.entity} reset to ${outcome.after.position.updatedAt}, version ${outcome.after.version} (${was}).`,
    `${next} Re-published changes are de-duplicated downstream by eventId.`,
  ].join('\n');
}

function describeCheckpoint(checkpoint: StoredCheckpoint, now: Date): string {
  const tie = checkpoint.position.eventIdsAtUpdatedAt.length;
  const saved =
    checkpoint.savedAt === undefined
      ? ''
      : `, saved ${ago(checkpoint.savedAt, now)}${checkpoint.savedBy ? ` by ${checkpoint.savedBy}` : ''}`;
  return `${checkpoint.position.updatedAt}${tie > 0 ? ` (+${tie} eventId(s) at that time)` : ''}, version ${checkpoint.version}${saved}`;
}

export function formatBackfillPlan(request: BackfillRequest, stage: string): string {
  const { entity, window } = request;
  return [
    `Backfill ${entity} on stage ${stage}: the changes with ${window.from} <= updatedAt < ${window.to}`,
    `  are read again from the source and published to Kafka with their own eventIds (consumers and the Spark`,
    `  MERGE keep one change per id). The entity's checkpoint does not move; the backfill keeps a cursor of its`,
    `  own, so the same command run again goes on where it stopped. The poller runs it in slices of at most 30 s,`,
    `  each holding the entity's lease: no live run reads meanwhile (a key never goes back in time), and the`,
    `  schedule's live runs poll between the slices. The source serves each record's latest version only:`,
    `  a record changed since the window is not in it, and its newer change is the live polling's.`,
  ].join('\n');
}

export function formatBackfillSlice(slice: PollSummary, n: number): string {
  const parked = Object.values(slice.parked).reduce((a, b) => a + b, 0);
  const why =
    slice.stoppedBecause === 'another run is polling'
      ? 'the entity is held by another run (a live poll): waiting'
      : slice.stoppedBecause === 'time budget'
        ? 'slice over'
        : slice.stoppedBecause;
  return `  slice ${n}: ${slice.pages} page(s), ${slice.published} published, ${parked} parked, ${slice.duplicates} duplicate(s); cursor ${slice.checkpointAfter.updatedAt} (${why})`;
}

export function formatBackfillOutcome(outcome: BackfillOutcome): string {
  const parked = Object.entries(outcome.parked)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  const head =
    outcome.unfinished === undefined
      ? `Backfill of ${outcome.entity} from ${outcome.window.from} to ${outcome.window.to} done`
      : `Backfill of ${outcome.entity} stopped at ${outcome.cursor}, before ${outcome.window.to}: ${outcome.unfinished}`;
  return `${head}: ${outcome.published} published${parked === '' ? '' : `, parked ${parked} (the retry function takes them up)`} in ${outcome.slices} slice(s).`;
}

export function formatBackfillCount(count: BackfillCount, stage: string): string {
  const span =
    count.firstUpdatedAt === null ? 'none' : `updatedAt from ${count.firstUpdatedAt} to ${count.lastUpdatedAt}`;
  return [
    `Dry run: the window ${count.window.from} <= updatedAt < ${count.window.to} of ${count.entity} on stage ${stage} holds`,
    `  ${count.changes} change(s) of ${count.keys} record(s) (${span}), and ${count.malformed} malformed entr${count.malformed === 1 ? 'y' : 'ies'}, in ${count.pages} page(s)${count.complete ? '' : ' so far: the count stopped at its time budget before the window ended (at least this many)'}.`,
    '  Nothing was published, parked or moved.',
  ].join('\n');
}
