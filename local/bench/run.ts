/**
 * npm run bench: every benchmark of the project, each figure beside a baseline measured in the
 * same run, ending with one table (Markdown, ready for the README) and the run's wall time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchSerde } from './serde';
import { BenchStack } from './bench-stack';
import { bundleRows, packageFunctions } from './bundles';
import { benchColdStarts } from './cold-start';
import { benchConsumer } from './consumer';
import { benchLibraryCosts } from './library-cost';
import { benchFallback } from './fallback';
import { benchFreshness } from './freshness';
import { benchKafkaClients } from './kafka-client';
import { benchPoller } from './poller';
import { type BenchRow, formatTable } from './results-table';
import { benchRetryDrain } from './retry-drain';
import { benchTiePage } from './tie-page';

/** The benchmarks in the order they run; `--only` picks some of them by these names. */
const STANDALONE = {
  serde: benchSerde,
  'tie-page': async () => [await benchTiePage()],
} satisfies Record<string, () => Promise<BenchRow[]>>;
const ON_THE_STACK = {
  poller: async (stack: BenchStack) => [await benchPoller(stack)],
  consumer: async (stack: BenchStack) => [await benchConsumer(stack)],
  fallback: async (stack: BenchStack) => [await benchFallback(stack)],
  retry: benchRetryDrain,
  'kafka-client': benchKafkaClients,
  bundles: benchDeployBundles,
  // Last: the demo with the stream, in a process of its own on the same stack (minutes).
  freshness: async () => benchFreshness(),
} satisfies Record<string, (stack: BenchStack) => Promise<BenchRow[]>>;

async function main(): Promise<void> {
  const only = selectedBenchmarks();
  const started = performance.now();
  console.log(`cdc-pipeline benchmarks (node ${process.version}, ${process.arch}, ${os.cpus().length} cores)`);
  const rows: BenchRow[] = [];
  for (const [name, bench] of Object.entries(STANDALONE)) if (only.has(name)) rows.push(...(await bench()));
  const onStack = Object.entries(ON_THE_STACK).filter(([name]) => only.has(name));
  if (onStack.length > 0) {
    const stack = await BenchStack.open();
    try {
      for (const [, bench] of onStack) rows.push(...(await bench(stack)));
    } finally {
      await stack.close();
    }
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

/** `--only retry,consumer`: those benchmarks alone; without it, all of them. Unknown names fail before anything runs. */
function selectedBenchmarks(): Set<string> {
  const known = [...Object.keys(STANDALONE), ...Object.keys(ON_THE_STACK)];
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  if (values.only === undefined) return new Set(known);
  const names = values.only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`npm run bench -- --only: unknown benchmark ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return new Set(names);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
