/** The demo's final report: events at each stage, per entity, and the reconciliation per table. */
import type { LaunchedRun } from '../../lib/jobs';
import type { Freshness } from './freshness';
import type { PipelineCounters } from './counters';
import type { ParkedChange } from './observe';
import type { Progress } from './progress';
import type { EntityVerdict } from './reconcile';

export interface DemoReport {
  readonly events: number;
  readonly entities: readonly string[];
  readonly source: Record<string, { changes: number; records: number; malformed: number }>;
  /** What the raw bucket holds per entity (since moto started). */
  readonly raw: Record<string, { objects: number; rows: number; eventIds: number }>;
  readonly counters: PipelineCounters;
  readonly topics: readonly string[];
  /** Messages written to each topic during the run. */
  readonly kafka: ReadonlyMap<string, number>;
  readonly archivedThisRun: readonly ParkedChange[];
  readonly alerts: number;
  readonly job: { run: LaunchedRun; state: string; summaries: readonly Record<string, unknown>[] };
  readonly verdicts: readonly EntityVerdict[];
  readonly tablesVersions: ReadonlyMap<string, number>;
  readonly elapsed: string;
  /** With the stream (--lake streaming): its freshness over this run's changes (null: none measured). */
  readonly freshness?: Freshness | null;
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('   ')
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('   '), ...rows.slice(1).map(line)].join('\n');
}

const count = (items: readonly ParkedChange[], status: string): number =>
  items.filter((i) => i.status === status).length;

export function printReport(progress: Progress, r: DemoReport): void {
  const c = r.counters;
  const summary = (entity: string, field: string): string =>
    String(r.job.summaries.find((s) => s.entity === entity)?.[field] ?? '-');
  const perEntity: string[][] = [
    ['per entity', ...r.entities, 'total'],
    row('source: changes generated (since it started)', r.entities, (e) => r.source[e]!.changes),
    row('source: records now (latest per id)', r.entities, (e) => r.source[e]!.records),
    row('source: malformed entries served', r.entities, (e) => r.source[e]!.malformed),
    row('Kafka: messages written this run', r.topics, (t) => r.kafka.get(t) ?? 0),
    row('raw bucket: objects (since the stack started)', r.entities, (e) => r.raw[e]!.objects),
    row('raw bucket: rows', r.entities, (e) => r.raw[e]!.rows),
    row('raw bucket: distinct eventIds', r.entities, (e) => r.raw[e]!.eventIds),
    ['Spark: raw files merged', ...r.entities.map((e) => summary(e, 'files')), ''],
    ['Spark: changes merged', ...r.entities.map((e) => summary(e, 'changes')), ''],
    row('Delta: rows', r.verdicts, (v) => v.deltaRows),
    row('Delta: rows equal to the source', r.verdicts, (v) => v.rowsEqual),
    row('ids whose latest change is invalid', r.verdicts, (v) => v.invalid),
    row('  … of which parked or archived', r.verdicts, (v) => v.invalidAccounted),
    ['verdict', ...r.verdicts.map((v) => (v.problemCount === 0 ? 'equal' : `${v.problemCount} DIFF`)), ''],
  ];
  const parkedRows = Object.entries(c.parked)
    .sort()
    .map(([reason, n]) => [`  parked: ${reason}`, String(n)]);
  const stages: string[][] = [
    ['pipeline stage (this run)', 'events'],
    ['poller: read from the source (latest change per id)', String(c.polled)],
    ['poller: published to Kafka', String(c.published)],
    ['poller: parked in the fallback table', String(Object.values(c.parked).reduce((a, b) => a + b, 0))],
    ...parkedRows,
    ['retry: re-sent to Kafka', String(c.retried)],
    ['retry: archived as STALE (given up)', String(count(r.archivedThisRun, 'STALE'))],
    ['retry: archived as SUPERSEDED (newer change sent)', String(count(r.archivedThisRun, 'SUPERSEDED'))],
    ['retry: SNS alerts received', String(r.alerts)],
    ['consumer: raw objects written', String(c.rawObjects)],
    ['consumer: raw rows written (each Kafka record once)', String(c.rawRows)],
    ['consumer: records sent again, skipped (already in raw/)', String(c.rawRedelivered)],
    ['consumer: dead-lettered', String(c.deadLettered)],
    [
      'invocations that failed and were retried',
      Object.entries(c.errors)
        .map(([fn, n]) => `${n} ${fn}`)
        .join(', ') || '0',
    ],
    [`Spark ${r.freshness === undefined ? 'batch' : 'stream'} run ${r.job.run.jobRunId}`, r.job.state],
    ...(r.freshness === undefined ? [] : freshnessRows(r.freshness)),
  ];
  progress.say(`\n${table(stages)}\n\n${table(perEntity)}\n`);
  for (const v of r.verdicts) for (const problem of v.problems) progress.say(`  difference: ${problem}`);
  progress.say(
    `demo time ${r.elapsed}; Delta table versions ${[...r.tablesVersions].map(([e, n]) => `${e} v${n}`).join(', ')}`,
  );
}

/** Source → Delta, per change this run made (the stream's commit time minus when the change appeared at the source). */
function freshnessRows(f: Freshness | null): string[][] {
  if (f === null) return [['freshness (source → Delta)', 'not measured: no change of this run was in a micro-batch']];
  return [
    [`freshness source → Delta, p50 (${f.changes} changes)`, `${f.p50Seconds.toFixed(1)} s`],
    ['freshness source → Delta, p95', `${f.p95Seconds.toFixed(1)} s`],
    ['freshness source → Delta, max', `${f.maxSeconds.toFixed(1)} s`],
  ];
}

function row<T>(label: string, items: readonly T[], value: (item: T) => number): string[] {
  const values = items.map(value);
  return [label, ...values.map(String), String(values.reduce((a, b) => a + b, 0))];
}
