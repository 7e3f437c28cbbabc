/** A small, honest timer: warm up, then count operations for a fixed time; report ops/s. */
export interface Measurement {
  readonly name: string;
  readonly opsPerSecond: number;
}

export async function measure(name: string, op: () => unknown | Promise<unknown>, seconds = 1): Promise<Measurement> {
  const isAsync = op() instanceof Promise;
  const deadlineWarm = performance.now() + 200;
  while (performance.now() < deadlineWarm) await runBatch(op, isAsync, 100);
  let ops = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    await runBatch(op, isAsync, 100);
    ops += 100;
  }
  return { name, opsPerSecond: ops / ((performance.now() - started) / 1000) };
}

async function runBatch(op: () => unknown, isAsync: boolean, n: number): Promise<void> {
  if (isAsync) for (let i = 0; i < n; i += 1) await op();
  else for (let i = 0; i < n; i += 1) op();
}

/** Figures as ratios against a baseline measured in the same run, so machines can be compared. */
export function printSection(title: string, baseline: Measurement, rows: readonly Measurement[]): void {
  console.log(`\n${title}`);
  console.log(`  baseline: ${baseline.name}: ${format(baseline.opsPerSecond)} ops/s`);
  for (const row of rows) {
    console.log(`  ${row.name.padEnd(52)} ${format(row.opsPerSecond).padStart(12)} ops/s   ${(row.opsPerSecond / baseline.opsPerSecond).toFixed(2)}× baseline`);
  }
}

function format(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
