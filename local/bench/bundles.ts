/**
 * Deploy bundle size per function: `sls package --stage dev` exactly as a user runs it (offline,
 * no AWS credentials; serverless-esbuild bundles each handler) into a temporary folder, and the
 * size of each function's zip, the bytes Lambda downloads on a cold start.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { slsPackage } from '../serverless/sls-package';
import type { BenchRow } from './results-table';

export interface FunctionBundle {
  readonly name: string;
  readonly zipFile: string;
  readonly zipBytes: number;
  /** The handler module inside the zip, e.g. functions/poller/handler.js. */
  readonly handlerModule: string;
}

interface PackagedState {
  service: { functions: Record<string, { handler: string; package?: { artifact?: string } }> };
}

/** Packages stage dev into `dir`; the functions and their zips come from the package's own state file. */
export async function packageFunctions(dir: string): Promise<FunctionBundle[]> {
  await slsPackage('dev', dir, { timeoutMs: 180_000 });
  const state = JSON.parse(await readFile(path.join(dir, 'serverless-state.json'), 'utf8')) as PackagedState;
  return Promise.all(
    Object.entries(state.service.functions).map(async ([name, fn]) => {
      const zipFile = path.join(dir, path.basename(fn.package?.artifact ?? `${name}.zip`));
      return {
        name,
        zipFile,
        zipBytes: (await stat(zipFile)).size,
        handlerModule: `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`,
      };
    }),
  );
}

export function bundleRows(bundles: readonly FunctionBundle[]): BenchRow[] {
  const total = bundles.reduce((sum, b) => sum + b.zipBytes, 0);
  return [
    ...bundles.map(
      (b): BenchRow => ({
        stage: `deploy bundle: ${b.name} (zip: minified bundle + linked source map, AWS SDK from the runtime)`,
        figure: b.zipBytes / 1024,
        unit: 'KiB',
        // Issue 15: the three functions on the data path; the job launcher has none.
        ...(['poller', 'consumer', 'retry'].includes(b.name)
          ? { target: { kind: 'at most', value: 500 } as const }
          : {}),
      }),
    ),
    { stage: `deploy bundle: all ${bundles.length} functions`, figure: total / 1024, unit: 'KiB' },
  ];
}
