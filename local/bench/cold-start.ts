/**
 * Cold-start init time per handler: a fresh `node` process loading the handler's esbuild bundle
 * from its deploy zip (what Lambda's runtime does before the first invocation: evaluate the
 * module, validate the configuration, create the clients), minus the start of an empty `node`
 * process (the baseline). Each handler gets its stage-local environment, which includes
 * NODE_OPTIONS=--enable-source-maps as deployed, plus the variables Lambda itself sets.
 * Medians of interleaved rounds, so a busy moment of the machine hits every figure alike.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../stage/paths';
import type { FunctionBundle } from './bundles';
import { printRow } from './measure';
import type { BenchRow } from './results-table';

const run = promisify(execFile);
const ROUNDS = 7;
export const LOAD_HANDLER = 'require(process.argv[1]); process.exit(0)';
export const EMPTY = 'process.exit(0)';
/**
 * Set by Lambda in every environment; the SDK's Node-version notice is off because Lambda runs a
 * newer Node than this machine may. The bundles leave AWS SDK v3 out (serverless.yml's
 * esbuild.exclude): Lambda's NODE_PATH finds the runtime's copy in /var/runtime/node_modules, and
 * here this repository's node_modules plays that part, the SDK loaded from its files as there.
 */
const LAMBDA_VARIABLES = {
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
};

type Environment = Record<string, string>;

export async function benchColdStarts(
  bundles: readonly FunctionBundle[],
  environmentOf: (fn: string) => Environment,
  dir: string,
): Promise<BenchRow[]> {
  console.log(
    `\ncold start: loading each deploy bundle in a fresh node process (median of ${ROUNDS}), against an empty node process`,
  );
  const handlers = await Promise.all(
    bundles.map(async (b) => ({
      name: b.name,
      module: await unzip(b, dir),
      env: { PATH: process.env.PATH ?? '', ...environmentOf(b.name), ...LAMBDA_VARIABLES },
    })),
  );
  const empty: number[] = [];
  const withMaps = new Map(handlers.map((h) => [h.name, [] as number[]]));
  const withoutMaps = new Map(handlers.map((h) => [h.name, [] as number[]]));
  for (let round = 0; round < ROUNDS; round += 1) {
    empty.push(await nodeStart(EMPTY, [], handlers[0]!.env));
    for (const h of handlers) {
      withMaps.get(h.name)!.push(await nodeStart(LOAD_HANDLER, [h.module], h.env));
      withoutMaps.get(h.name)!.push(await nodeStart(LOAD_HANDLER, [h.module], withoutSourceMaps(h.env)));
    }
  }
  const baseline = { name: 'empty node process start', figure: median(empty) };
  return handlers.map((h) => {
    const row: BenchRow = {
      stage: `cold start: ${h.name} init (bundle loaded, config, clients)`,
      figure: median(withMaps.get(h.name)!) - baseline.figure,
      unit: 'ms',
      baseline,
      // The figure is already the init above an empty node's start.
      target: { kind: 'at most', value: 100 },
    };
    printRow(row, `${(median(withoutMaps.get(h.name)!) - baseline.figure).toFixed(0)} ms without --enable-source-maps`);
    return row;
  });
}

/** Python's zipfile: the stack needs Python anyway, and Node has no unzip of its own. */
async function unzip(bundle: FunctionBundle, dir: string): Promise<string> {
  const target = path.join(dir, 'unzipped', bundle.name);
  await run('python3', ['-m', 'zipfile', '-e', bundle.zipFile, target]);
  return path.join(target, bundle.handlerModule);
}

/** Milliseconds from spawning `node -e script` to its exit; a failing script (e.g. a configuration error) throws. */
export function nodeStart(script: string, args: readonly string[], env: Environment): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', script, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 2000)}`)),
    );
  });
}

function withoutSourceMaps(env: Environment): Environment {
  return { ...env, NODE_OPTIONS: (env.NODE_OPTIONS ?? '').replace('--enable-source-maps', '').trim() };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
