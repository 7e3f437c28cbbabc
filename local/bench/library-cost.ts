/**
 * What each runtime library costs a function: its bytes in an esbuild bundle built as the
 * deploy bundles are (bundled, unminified, Node 20 target, source map beside it), and the time a
 * fresh `node` process takes to load that bundle and make the library's first object, above an
 * empty `node` process (the cold-start baseline). The libraries are measured alone, so a figure
 * is the library's own cost, not its share of a handler's.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { EMPTY, LOAD_HANDLER, median, nodeStart } from './cold-start';
import { printRow } from './measure';
import type { BenchRow } from './results-table';

const ROUNDS = 7;

/** Each library as a function uses it: imported and its main object made. */
export const LIBRARIES: readonly {
  readonly name: string;
  readonly entry: string;
  /** What the bundle needs beyond the deploy bundles' settings to load at all. */
  readonly build?: BuildOptions;
}[] = [
  {
    name: '@aws-lambda-powertools/metrics',
    entry: `const { Metrics } = require('@aws-lambda-powertools/metrics'); new Metrics({ namespace: 'CdcPipeline', serviceName: 'bench' });`,
  },
  {
    name: 'kafkajs',
    entry: `const { Kafka } = require('kafkajs'); new Kafka({ brokers: ['127.0.0.1:9092'] }).producer();`,
  },
  {
    // A candidate to replace kafkajs (issue 15). An ES module that finds files by `import.meta.url`
    // (its WebAssembly codecs, createRequire), which a CommonJS bundle leaves empty: it fails at
    // load unless given the bundle's own URL and its wasm inlined (the package's `bundled` entry).
    name: '@platformatic/kafka',
    entry: `const { Producer } = require('@platformatic/kafka'); new Producer({ clientId: 'bench', bootstrapBrokers: ['127.0.0.1:9092'], idempotent: true });`,
    build: {
      alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
      define: { 'import.meta.url': '__bundleUrl' },
      banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    },
  },
  { name: 'pg', entry: `const { Pool } = require('pg'); new Pool({ max: 1 });` },
  {
    name: 'avsc',
    entry: `require('avsc').Type.forSchema({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'string' }] });`,
  },
  { name: '@middy/core', entry: `require('@middy/core').default(async () => 0);` },
  {
    name: '@aws-sdk/client-dynamodb',
    entry: `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb'); new DynamoDBClient({ region: 'us-east-1' });`,
  },
];

export async function benchLibraryCosts(dir: string, libraries = LIBRARIES): Promise<BenchRow[]> {
  console.log(
    `\nlibrary cost: each library alone in an esbuild bundle, loaded in a fresh node process (median of ${ROUNDS}), against an empty node process`,
  );
  const bundles = await Promise.all(
    libraries.map(async (library, i) => {
      const entry = path.join(dir, `library-${i}-entry.js`);
      const outfile = path.join(dir, `library-${i}.js`);
      await writeFile(entry, library.entry);
      const result = await build({
        ...library.build,
        entryPoints: [entry],
        outfile,
        bundle: true,
        minify: false,
        sourcemap: true,
        target: 'node20',
        platform: 'node',
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: process.cwd(),
        nodePaths: [path.join(process.cwd(), 'node_modules')],
      });
      return { ...library, outfile, bytes: result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes ?? 0 };
    }),
  );
  const env = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' };
  const empty: number[] = [];
  const loads = new Map(bundles.map((b) => [b.name, [] as number[]]));
  for (let round = 0; round < ROUNDS; round += 1) {
    empty.push(await nodeStart(EMPTY, [], env));
    for (const b of bundles) loads.get(b.name)!.push(await nodeStart(LOAD_HANDLER, [b.outfile], env));
  }
  const baseline = { name: 'empty node process start', figure: median(empty) };
  return bundles.flatMap((b): BenchRow[] => {
    const size: BenchRow = {
      stage: `library cost: ${b.name} (bundled, unminified)`,
      figure: b.bytes / 1024,
      unit: 'KiB',
    };
    const load: BenchRow = {
      stage: `library cost: ${b.name} load + first object`,
      figure: median(loads.get(b.name)!) - baseline.figure,
      unit: 'ms',
      baseline,
    };
    printRow(load, `${Math.round(size.figure).toLocaleString('en-US')} KiB bundled`);
    return [size, load];
  });
}
