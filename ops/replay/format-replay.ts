import type { StoredCheckpoint } from '../../lib/checkpoint';
import { ago, humanDuration } from '../text/durations';
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
