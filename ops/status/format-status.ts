import type { FallbackStatus } from '../../lib/fallback';
import { ago, humanDuration } from '../text/durations';
import { renderTable } from '../text/table';
import type { EntityHealth } from './health';
import type {
  CheckpointStoreSummary,
  ConsumerFailureSummary,
  EntityStatus,
  FallbackSummary,
  PipelineStatus,
  StaleSummary,
} from './pipeline-status';
import type { JobRunRecord } from './ports';

const STATUSES: readonly FallbackStatus[] = ['RETRIABLE', 'AMBIGUOUS', 'SUPERSEDED', 'STALE'];

/** The status as text tables: checkpoints, the fallback table, stale events, the last job runs. */
export function formatStatus(status: PipelineStatus): string {
  const now = new Date(status.at);
  return [
    `cdc-pipeline status: stage ${status.stage}, ${status.at}`,
    '',
    formatEntities(status.entities, now),
    formatCheckpointStore(status.checkpointStore),
    '',
    formatHealth(status.health, now),
    '',
    formatFallback(
      status.fallback,
      status.entities.map((e) => e.entity),
      now,
    ),
    '',
    formatStale(status.stale, now),
    formatConsumerFailures(status.consumerFailures),
    '',
    formatJobs(status.jobs, now),
    ...(status.problems.length === 0 ? [] : ['', 'Could not read:', ...status.problems.map((p) => `  ${p}`)]),
  ].join('\n');
}

function formatHealth(health: readonly EntityHealth[], now: Date): string {
  const rows = health.map((h) => [
    h.entity,
    h.verdict,
    h.lastHeartbeat === null ? 'none' : ago(h.lastHeartbeat, now),
    h.checkpointLagSeconds === null ? '-' : humanDuration(h.checkpointLagSeconds),
    h.backlogAgeSeconds === null ? '-' : humanDuration(h.backlogAgeSeconds),
    String(h.deadLetters),
    h.lastJobRun === null ? '-' : `${h.lastJobRun.state}`,
  ]);
  const findings = health.flatMap((h) => h.findings.map((f) => `  ${h.entity}: ${f}`));
  return [
    "Health (judged by the alarms' thresholds):",
    renderTable(
      ['ENTITY', 'VERDICT', 'LAST HEARTBEAT', 'LAG', 'BACKLOG AGE', 'DEAD LETTERS (5 MIN)', 'LAST JOB RUN'],
      rows,
    ),
    ...findings,
  ].join('\n');
}

function formatCheckpointStore(store: CheckpointStoreSummary): string {
  return store.kind === 'dynamodb'
    ? `Checkpoints: DynamoDB table ${store.table}.`
    : `Checkpoints: PostgreSQL ${store.database}, table ${store.table}.`;
}

function formatEntities(entities: readonly EntityStatus[], now: Date): string {
  // A run holds the entity until it gives the lease back, or until its deadline if it crashed.
  const polling = (e: EntityStatus): string =>
    e.polling === null ? '-' : `run ${e.polling.runId.slice(0, 8)} until ${e.polling.until}`;
  const rows = entities.map((e) =>
    e.checkpoint === null
      ? [e.entity, 'never polled', '-', '-', '-', String(e.parked), polling(e)]
      : [
          e.entity,
          e.checkpoint.updatedAt,
          humanDuration(e.lagSeconds ?? 0),
          e.checkpoint.savedAt === null ? '-' : ago(e.checkpoint.savedAt, now),
          String(e.checkpoint.version),
          String(e.parked),
          polling(e),
        ],
  );
  return renderTable(['ENTITY', 'CHECKPOINT (source time)', 'LAG', 'SAVED', 'VERSION', 'PARKED', 'POLLING NOW'], rows);
}

function formatFallback(fallback: FallbackSummary, entities: readonly string[], now: Date): string {
  const title = `Fallback table: ${fallback.total} item(s), ${fallback.due} due for a retry now`;
  if (fallback.total === 0) return `${title}. Nothing parked.`;
  const columns = [...new Set([...entities, ...fallback.counts.map((c) => c.entity)])];
  const pairs = [...new Map(fallback.counts.map((c) => [`${c.status} ${c.reason}`, c] as const)).values()].sort(
    (a, b) => STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) || a.reason.localeCompare(b.reason),
  );
  const rows = pairs.map((p) => {
    const cells = columns.map(
      (entity) =>
        fallback.counts.find((c) => c.entity === entity && c.status === p.status && c.reason === p.reason)?.count ?? 0,
    );
    return [p.status, p.reason, ...cells.map(String), String(cells.reduce((a, b) => a + b, 0))];
  });
  const oldest = fallback.oldest;
  return [
    title,
    renderTable(['STATUS', 'REASON', ...columns.map((c) => c.toUpperCase()), 'TOTAL'], rows),
    oldest === null
      ? ''
      : `Oldest parked: ${oldest.entity} ${oldest.id}, ${oldest.status} ${oldest.reason}, parked ${oldest.parkedAt} (${ago(oldest.parkedAt, now)})`,
  ].join('\n');
}

function formatStale(stale: StaleSummary, now: Date): string {
  const a = stale.archived;
  const byStatus = Object.entries(a.byStatus)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
  return [
    `Stale: ${stale.inTable.STALE} STALE and ${stale.inTable.SUPERSEDED} SUPERSEDED in the table (archived by the next retry sweep);`,
    `       ${a.events} event(s) archived since ${a.since.slice(0, 10)} (${humanDuration((now.getTime() - Date.parse(a.since)) / 1000)}) in ${a.objects} object(s)${byStatus ? ` (${byStatus})` : ''}${a.latest ? `, latest ${a.latest}` : ''}`,
  ].join('\n');
}

function formatConsumerFailures(failures: ConsumerFailureSummary): string {
  const head = `Consumer on-failure destination: ${failures.destination}`;
  if (failures.batches === 0) return `${head}, no batch given up on.`;
  return `${head}, ${failures.batches} batch(es) given up on, latest ${failures.latest} (replay: npm run redrive-consumer)`;
}

function formatJobs(jobs: readonly JobRunRecord[], now: Date): string {
  if (jobs.length === 0) return 'Job runs: none in the period.';
  return [
    'Job runs (last per job):',
    renderTable(
      ['JOB', 'STATE', 'STARTED', 'ENDED', 'RUN ID'],
      jobs.map((j) => [j.name, j.state, `${j.createdAt} (${ago(j.createdAt, now)})`, j.endedAt ?? '-', j.jobRunId]),
    ),
  ].join('\n');
}
