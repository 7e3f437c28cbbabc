import { renderTable } from '../text/table';
import type { ConsumerRedriveReport } from './apply';
import { type ConsumerRedrivePlan, SKIP_EXPLANATIONS, type SkipReason } from './plan';

export function formatConsumerRedrivePlan(plan: ConsumerRedrivePlan, stage: string, fallbackTable: string): string {
  const letters = plan.deadLetters.map((d) => [
    d.letter.entity,
    d.letter.id,
    d.letter.reason,
    d.origin.kind === 'table' ? 'fallback table' : d.origin.key,
    d.action === 'redrive' ? 'write to raw' : `skip: ${d.why}`,
    d.location,
  ]);
  const batches = plan.batches.map((b) => [
    b.action === 'replay' ? `${b.records} record(s), ${b.condition}` : '-',
    b.action === 'replay' ? 'replay to raw' : `skip: ${b.why}`,
    b.location,
  ]);
  return [
    `Consumer redrive on stage ${stage}: ${plan.toRedrive} dead-lettered record(s) (of ${fallbackTable} and the stale archive) to write to raw, ${plan.toReplay} given-up batch(es) to replay.`,
    letters.length === 0
      ? 'No dead letter of the consumer in the fallback table or the stale archive.'
      : renderTable(['ENTITY', 'ID', 'REASON', 'WAITING IN', 'ACTION', 'DEAD LETTER'], letters),
    batches.length === 0
      ? 'No batch in the on-failure destination.'
      : renderTable(['BATCH', 'ACTION', 'OBJECT'], batches),
    ...formatSkipped(plan.skipped),
  ].join('\n');
}

export function formatConsumerRedriveReport(report: ConsumerRedriveReport): string {
  return [
    `${report.redriven} dead-lettered record(s) written to raw (their items removed, or their archive's ledger updated); ${report.busy} held by the retry function (left for the next run); ${report.failedAgain} dead-lettered again.`,
    `${report.replayed} given-up batch(es) replayed to raw and removed from the destination (${report.replayDeadLettered} of their records dead-lettered).`,
  ].join('\n');
}

function formatSkipped(skipped: Readonly<Partial<Record<SkipReason, number>>>): string[] {
  return Object.entries(skipped).map(([why, n]) => `Skipped ${n} (${why}): ${SKIP_EXPLANATIONS[why as SkipReason]}`);
}
