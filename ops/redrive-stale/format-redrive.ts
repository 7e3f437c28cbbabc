import type { StaleRedriveReport } from './apply';
import { type ArchivePlan, SKIP_EXPLANATIONS, type SkipReason, type StaleRedrivePlan } from './plan';

const LISTED = 20;

export function formatRedrivePlan(plan: StaleRedrivePlan, stage: string, fallbackTable: string): string {
  const events = plan.archives.flatMap((a) => a.events);
  const restore = events.flatMap((e) => (e.action === 'restore' ? [e.event] : []));
  return [
    `Re-drive stale events of stage ${stage}: ${plan.archives.length} archive object(s) in s3://${plan.bucket}, ${events.length} event(s) selected`,
    ...plan.archives.map((a) => `  ${a.key}: ${archiveLine(a)}`),
    '',
    restore.length === 0
      ? 'Nothing to put back.'
      : `To put back into ${fallbackTable} as AMBIGUOUS, due now, attempts 0 (${restore.length}):`,
    ...restore
      .slice(0, LISTED)
      .map(
        (e) => `  ${e.entity} ${e.id} ${e.updatedAt} ${e.reason}${e.staleBecause ? ` (stale: ${e.staleBecause})` : ''}`,
      ),
    ...(restore.length > LISTED ? [`  … and ${restore.length - LISTED} more`] : []),
    ...skippedLines(plan.skipped),
    ...(restore.length === 0
      ? []
      : [
          '',
          "The retry function's next sweep re-validates them against the latest schema and publishes the valid ones (its",
          'supersede rule still holds for events in the table); those still invalid go stale again after their limit.',
          'Caution: if a key got a newer change on Kafka after this event went stale, the older one is published after it.',
          'The Delta tables keep the newest (updatedAt, eventId) per id, so the lake is unaffected; a compacted topic is not.',
        ]),
  ].join('\n');
}

export function formatRedriveReport(report: StaleRedriveReport, fallbackTable: string): string {
  return [
    `Put back ${report.restored} event(s) into ${fallbackTable}${report.alreadyInTable > 0 ? ` (${report.alreadyInTable} already there, left as they were)` : ''}.`,
    ...report.archives.map(
      (a) =>
        `  ${a.location}: ${a.restored} put back${a.alreadyInTable > 0 ? `, ${a.alreadyInTable} already in the table` : ''}; recorded in its ledger`,
    ),
    ...skippedLines(report.skipped),
  ].join('\n');
}

function archiveLine(archive: ArchivePlan): string {
  const restore = archive.events.filter((e) => e.action === 'restore').length;
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const e of archive.events) if (e.action === 'skip') skipped[e.why] = (skipped[e.why] ?? 0) + 1;
  return [`${restore} to put back`, ...Object.entries(skipped).map(([why, n]) => `${n} ${why}`)].join(', ');
}

function skippedLines(skipped: Readonly<Partial<Record<SkipReason, number>>>): string[] {
  const entries = Object.entries(skipped) as [SkipReason, number][];
  if (entries.length === 0) return [];
  return ['Skipped:', ...entries.map(([why, n]) => `  ${n} ${why}: ${SKIP_EXPLANATIONS[why]}`)];
}
