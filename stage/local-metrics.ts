import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STACK_DIR } from './paths';

/**
 * Stage local's CloudWatch: the local runtime appends every Embedded Metric Format line its
 * functions write to this file, and `npm run status -- --stage local` reads its health from it.
 */
export const LOCAL_METRICS_FILE = path.join(STACK_DIR, 'metrics', 'emf.jsonl');

/** One EMF line as CloudWatch reads it: when, the dimension values, and each metric's value. */
export interface MetricRecord {
  readonly at: number;
  readonly namespace: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, number>>;
}

interface EmfLine {
  _aws?: {
    Timestamp?: number;
    CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  [key: string]: unknown;
}

/** The record of a function's output line, if it is an EMF line. */
export function metricRecordOf(line: string): MetricRecord | undefined {
  const start = line.indexOf('{"_aws"');
  if (start === -1) return undefined;
  let emf: EmfLine;
  try {
    emf = JSON.parse(line.slice(start)) as EmfLine;
  } catch {
    return undefined;
  }
  const directive = emf._aws?.CloudWatchMetrics?.[0];
  if (directive === undefined || typeof emf._aws?.Timestamp !== 'number') return undefined;
  const dimensions = Object.fromEntries((directive.Dimensions[0] ?? []).map((d) => [d, String(emf[d])]));
  const values = Object.fromEntries(directive.Metrics.map((m) => [m.Name, Number(emf[m.Name])]));
  return { at: emf._aws.Timestamp, namespace: directive.Namespace, dimensions, values };
}

export function appendMetricRecord(record: MetricRecord, file = LOCAL_METRICS_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/** The records since a time, oldest first (none if the runtime never ran). */
export function readMetricRecords(since: number, file = LOCAL_METRICS_FILE): MetricRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as MetricRecord)
    .filter((r) => r.at >= since);
}
