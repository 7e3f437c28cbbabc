/**
 * What the demo shows of the functions' metrics: their totals over the run, read back from stage
 * local's CloudWatch (the EMF lines the local runtime collected), and while Kafka is down, which
 * alarm the outage is driving towards.
 */
import catalogue from '../../lib/metrics/metrics.json';
import type { PipelineStatus } from '../../ops/status/pipeline-status';
import { readMetricRecords } from '../../stage/local-metrics';

const UNITS = new Map(
  [catalogue.poller, catalogue.consumer, catalogue.retry, catalogue.jobs].flatMap((group) =>
    Object.values(group).map((m) => [m.name, m.unit] as const),
  ),
);

/** Per metric name since `since`: the sum of counts, the greatest of durations. */
export function metricTotals(since: Date): [string, string][] {
  const totals = new Map<string, number>();
  for (const record of readMetricRecords(since.getTime()))
    for (const [name, value] of Object.entries(record.values)) {
      const seconds = UNITS.get(name) === 'Seconds';
      const before = totals.get(name);
      totals.set(name, before === undefined ? value : seconds ? Math.max(before, value) : before + value);
    }
  return [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => [name, UNITS.get(name) === 'Seconds' ? `max ${Math.round(value)} s` : String(value)]);
}

/**
 * The alarms a status's health says fire now, and the backlog-age alarm the parked events
 * approach. `leaveOut`: findings not to count (the demo's checkpoint lag: see its caller).
 */
export function alarmsInSight(status: PipelineStatus, backlogBoundSeconds: number, leaveOut?: RegExp): string[] {
  const firing = status.health.flatMap((h) =>
    h.findings
      .filter((f) => f.startsWith('ALARM') && !(leaveOut?.test(f) ?? false))
      .map((f) => `${h.entity}: fires now: ${f.slice(7)}`),
  );
  const waiting = status.health
    .filter((h) => h.backlogAgeSeconds !== null && h.backlogAgeSeconds <= backlogBoundSeconds)
    .map(
      (h) =>
        `${h.entity}: FallbackBacklogAgeAlarm fires if the outage lasts ${Math.round(backlogBoundSeconds - h.backlogAgeSeconds!)} s more (the oldest parked event waits ${Math.round(h.backlogAgeSeconds!)} s of alarmBacklogAgeSeconds ${backlogBoundSeconds})`,
    );
  return [...firing, ...waiting];
}
