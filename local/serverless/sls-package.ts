import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../stage/resolved-config';

const run = promisify(execFile);

/** Names the shell may carry for stage local; a packaged stage must not pick them up. */
const LOCAL_STACK_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'KAFKA_BROKERS',
  'CDC_SOURCE_URL',
];

export interface SlsPackageOptions {
  /** `--param k=v` overrides. */
  readonly params?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * `sls package --stage <stage>` exactly as a user runs it, offline, into `dir`. Not concurrently:
 * serverless-esbuild builds into one shared .esbuild/ folder.
 */
export async function slsPackage(stage: string, dir: string, options: SlsPackageOptions): Promise<void> {
  // No AWS configuration or credentials at all: a file that does not exist stands for both.
  const none = path.join(dir, 'no-aws-config');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: none,
    AWS_SHARED_CREDENTIALS_FILE: none,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  for (const name of LOCAL_STACK_VARIABLES) delete env[name];
  const params = Object.entries(options.params ?? {}).map(([k, v]) => `--param=${k}=${v}`);
  const child = run(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'sls'),
    ['package', '--stage', stage, '--package', dir, ...params],
    { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: options.timeoutMs },
  );
  child.child.stdin?.end();
  await child;
}
