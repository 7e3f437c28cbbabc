/**
 * Deploy bundle size per function: `sls package --stage dev` exactly as a user runs it (offline,
 * no AWS credentials; serverless-esbuild bundles each handler) into a temporary folder, and the
 * size of each function's zip, the bytes Lambda downloads on a cold start.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../stage/resolved-config';
import type { BenchRow } from './results-table';

const run = promisify(execFile);

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
  // No AWS configuration or credentials at all: a file that does not exist stands for both.
  const none = path.join(dir, 'no-aws-config');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: none,
    AWS_SHARED_CREDENTIALS_FILE: none,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  // Stage dev must not pick up the local stack's values (the shell may carry them for stage local).
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'KAFKA_BROKERS',
    'CDC_SOURCE_URL',
  ])
    delete env[name];
  const child = run(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'sls'),
    ['package', '--stage', 'dev', '--package', dir],
    { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 },
  );
  child.child.stdin?.end();
  await child;
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
        stage: `deploy bundle: ${b.name} (zip, esbuild + source map)`,
        figure: b.zipBytes / 1024,
        unit: 'KiB',
      }),
    ),
    { stage: `deploy bundle: all ${bundles.length} functions`, figure: total / 1024, unit: 'KiB' },
  ];
}
