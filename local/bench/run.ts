/**
 * npm run bench: every benchmark of the project, each figure beside a baseline measured in the
 * same run, ending with one table (Markdown, ready for the README) and the run's wall time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchSerde } from './serde';
import { BenchStack } from './bench-stack';
import { bundleRows, packageFunctions } from './bundles';
import { benchColdStarts } from './cold-start';
import { benchConsumer } from './consumer';
import { benchLibraryCosts } from './library-cost';
import { benchFallback } from './fallback';
import { benchPoller } from './poller';
import { type BenchRow, formatTable } from './results-table';
import { benchRetryDrain } from './retry-drain';
import { benchTiePage } from './tie-page';

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`cdc-pipeline benchmarks (node ${process.version}, ${process.arch}, ${os.cpus().length} cores)`);
  const rows: BenchRow[] = [];
  rows.push(...(await benchSerde()));
  rows.push(await benchTiePage());
  const stack = await BenchStack.open();
  try {
    rows.push(await benchPoller(stack));
    rows.push(await benchConsumer(stack));
    rows.push(await benchFallback(stack));
    rows.push(await benchRetryDrain(stack));
    rows.push(...(await benchDeployBundles(stack)));
  } finally {
    await stack.close();
  }
  console.log(`\n${formatTable(rows)}\n`);
  console.log(`npm run bench: ${((performance.now() - started) / 1000).toFixed(0)} s wall time`);
}

/** Bundle sizes, then cold starts of those very bundles, each with its function's stage-local environment; then each runtime library's own share. */
async function benchDeployBundles(stack: BenchStack): Promise<BenchRow[]> {
  console.log('\ndeploy bundles: sls package --stage dev (offline)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cdc-bench-package-'));
  try {
    const bundles = await packageFunctions(dir);
    const sizes = bundleRows(bundles);
    for (const row of sizes) console.log(`  ${row.stage}: ${Math.round(row.figure).toLocaleString('en-US')} KiB`);
    return [
      ...sizes,
      ...(await benchColdStarts(bundles, (fn) => stack.environmentOf(fn), dir)),
      ...(await benchLibraryCosts(dir)),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
