/**
 * `npm run bench` ends with one table: each figure beside the baseline measured in the same run
 * and their ratio, so runs on different machines compare by ratio. Printed as Markdown, so a
 * run's table can be pasted into the README as it is.
 */
export type Unit = 'events/s' | 'writes/s' | 'ms' | 's' | 'KiB' | 'requests/event';

export interface Baseline {
  readonly name: string;
  readonly figure: number;
}

/** Issue 15's target for a row: a ratio to its baseline, or a bound on the figure itself. */
export type Target =
  | { readonly kind: 'ratio at least'; readonly value: number }
  | { readonly kind: 'at least'; readonly value: number; readonly why?: string }
  | { readonly kind: 'at most'; readonly value: number };

export interface BenchRow {
  readonly stage: string;
  readonly figure: number;
  readonly unit: Unit;
  /** Absent where nothing comparable exists (a bundle's size). */
  readonly baseline?: Baseline;
  /** Absent where none is set (the fallback table's writes, the libraries' own costs). */
  readonly target?: Target;
}

const HEADER = ['stage', 'figure', 'baseline (same run)', 'baseline figure', 'ratio', 'target', 'met'] as const;
/** Text columns left-aligned, numbers right-aligned (Markdown's `---:`). */
const RIGHT_ALIGNED = [false, true, false, true, true, true, false] as const;

/** True, false, or undefined for a row without a target. */
export function targetMet(row: BenchRow): boolean | undefined {
  const { target } = row;
  if (target === undefined) return undefined;
  switch (target.kind) {
    case 'ratio at least':
      return row.baseline !== undefined && row.figure / row.baseline.figure >= target.value;
    case 'at least':
      return row.figure >= target.value;
    case 'at most':
      return row.figure <= target.value;
  }
}

function formatTarget(row: BenchRow): string {
  const { target } = row;
  if (target === undefined) return '—';
  switch (target.kind) {
    case 'ratio at least':
      return `≥ ${formatRatio(target.value)}×`;
    case 'at least':
      return `≥ ${formatFigure(target.value, row.unit)}${target.why ? ` (${target.why})` : ''}`;
    case 'at most':
      return `≤ ${formatFigure(target.value, row.unit)}`;
  }
}

export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [
    row.stage,
    formatFigure(row.figure, row.unit),
    row.baseline?.name ?? '—',
    row.baseline === undefined ? '—' : formatFigure(row.baseline.figure, row.unit),
    row.baseline === undefined ? '—' : `${formatRatio(row.figure / row.baseline.figure)}×`,
    formatTarget(row),
    { true: 'met', false: 'NOT met', undefined: '—' }[String(targetMet(row)) as 'true' | 'false' | 'undefined'],
  ]);
  const widths = HEADER.map((title, i) => Math.max(title.length, 4, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]): string =>
    `| ${values.map((v, i) => (RIGHT_ALIGNED[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (RIGHT_ALIGNED[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(HEADER), rule, ...cells.map(line)].join('\n');
}

export function formatFigure(figure: number, unit: Unit): string {
  const digits = unit === 'requests/event' ? 2 : (unit === 'ms' && figure < 100) || unit === 's' ? 1 : 0;
  return `${figure.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2);
}
