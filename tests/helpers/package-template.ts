import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;
  Outputs?: Record<string, unknown>;
}

/**
 * `sls package` exactly as a user runs it, with no AWS credentials at all, into a temp dir;
 * returns the CloudFormation template it would deploy. `params` are `--param k=v` overrides. Not concurrently: serverless-esbuild
 * builds into one shared .esbuild/ folder.
 */
export async function packageTemplate(
  stage: string,
  params: Readonly<Record<string, string>> = {},
): Promise<CfnTemplate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `cdc-package-${stage}-`));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      SLS_TELEMETRY_DISABLED: '1',
    };
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
      path.join(ROOT, 'node_modules', '.bin', 'sls'),
      ['package', '--stage', stage, '--package', dir, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)],
      {
        cwd: ROOT,
        env,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 90_000,
      },
    );
    child.child.stdin?.end();
    await child;
    return JSON.parse(
      await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as CfnTemplate;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);
}
