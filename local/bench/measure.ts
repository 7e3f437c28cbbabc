import { type BenchRow, formatFigure } from './results-table';

/** A small, honest timer: warm up, then count operations for a fixed time; report ops/s. */
export interface Measurement {
  readonly name: string;
  readonly opsPerSecond: number;
}

type Op = () => unknown | Promise<unknown>;

export async function measure(name: string, op: Op, seconds = 1): Promise<Measurement> {
  const isAsync = await warmUp(op);
  const { ops, ms } = await countFor(op, isAsync, seconds * 1000);
  return { name, opsPerSecond: ops / (ms / 1000) };
}

/**
 * A baseline and a subject measured in alternating slices of the same total time, so a busy
 * moment of a shared machine slows both alike and their ratio holds.
 */
export async function measurePair(
  baseline: { name: string; op: Op },
  subject: { name: string; op: Op },
  seconds = 1,
  slices = 5,
): Promise<[Measurement, Measurement]> {
  const pair = [baseline, subject];
  const isAsync = [await warmUp(baseline.op), await warmUp(subject.op)];
  const totals = pair.map(() => ({ ops: 0, ms: 0 }));
  for (let slice = 0; slice < slices; slice += 1) {
    for (const [i, { op }] of pair.entries()) {
      const { ops, ms } = await countFor(op, isAsync[i]!, (seconds * 1000) / slices);
      totals[i]!.ops += ops;
      totals[i]!.ms += ms;
    }
  }
  const [b, s] = totals.map((t, i) => ({ name: pair[i]!.name, opsPerSecond: t.ops / (t.ms / 1000) }));
  return [b!, s!];
}

/** Runs `op` for 200 ms so the JIT has compiled it; says whether it returns promises. */
async function warmUp(op: Op): Promise<boolean> {
  const isAsync = op() instanceof Promise;
  const deadline = performance.now() + 200;
  while (performance.now() < deadline) await runBatch(op, isAsync, 100);
  return isAsync;
}

async function countFor(op: Op, isAsync: boolean, forMs: number): Promise<{ ops: number; ms: number }> {
  let ops = 0;
  const started = performance.now();
  const deadline = started + forMs;
  while (performance.now() < deadline) {
    await runBatch(op, isAsync, 100);
    ops += 100;
  }
  return { ops, ms: performance.now() - started };
}

async function runBatch(op: Op, isAsync: boolean, n: number): Promise<void> {
  if (isAsync) for (let i = 0; i < n; i += 1) await op();
  else for (let i = 0; i < n; i += 1) op();
}

/** Figures as ratios against a baseline measured in the same run, so machines can be compared. */
export function printSection(title: string, baseline: Measurement, rows: readonly Measurement[]): void {
  console.log(`\n${title}`);
  console.log(`  baseline: ${baseline.name}: ${format(baseline.opsPerSecond)} ops/s`);
  for (const row of rows) {
    console.log(
      `  ${row.name.padEnd(52)} ${format(row.opsPerSecond).padStart(12)} ops/s   ${(row.opsPerSecond / baseline.opsPerSecond).toFixed(2)}× baseline`,
    );
  }
}

function format(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Wall time of one run of `work`, for stages measured as "N events in T seconds". */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

/** The one line a section prints while the run goes on; the full table comes at the end. */
export function printRow(row: BenchRow, detail = ''): void {
  const baseline =
    row.baseline === undefined
      ? ''
      : `; ${row.baseline.name}: ${formatFigure(row.baseline.figure, row.unit)} (${(row.figure / row.baseline.figure).toFixed(2)}×)`;
  console.log(`  ${row.stage}: ${formatFigure(row.figure, row.unit)}${baseline}${detail === '' ? '' : ` — ${detail}`}`);
}
