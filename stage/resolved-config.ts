import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths';

const run = promisify(execFile);
export { REPO_ROOT };

export type CfnValue = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, CfnValue>;
  readonly DependsOn?: string | string[];
}

export interface ResolvedFunction {
  readonly handler: string;
  readonly name?: string;
  readonly timeout?: number;
  readonly memorySize?: number;
  readonly environment?: Record<string, string | null>;
  readonly events?: Record<string, unknown>[];
}

/** custom.names in serverless.yml: every physical name the stack uses. */
export interface ResourceNames {
  readonly checkpointTable: string;
  readonly fallbackTable: string;
  readonly rawOffsetsTable: string;
  readonly rawBucket: string;
  readonly lakeBucket: string;
  readonly artifactsBucket: string;
  readonly alertTopic: string;
  readonly schemaRegistry: string;
  readonly emrApplication: string;
}

/** The subset of `sls print` output the local stack and runtime read. */
export interface ResolvedConfig {
  readonly service: string;
  readonly provider: {
    readonly environment?: Record<string, string | null>;
    readonly timeout?: number;
    readonly region?: string;
  };
  readonly params: Record<string, Record<string, unknown>>;
  readonly custom: { readonly names: ResourceNames };
  readonly functions: Record<string, ResolvedFunction>;
  readonly resources: { readonly Resources: Record<string, CfnResource> };
}

/**
 * The framework's own resolution of serverless.yml for a stage: params, ${env:…}, file
 * variables and resources/ all resolve exactly as they do on `sls deploy`.
 */
export async function loadResolvedConfig(stage: string): Promise<ResolvedConfig> {
  const sls = path.join(REPO_ROOT, 'node_modules', '.bin', 'sls');
  try {
    const { stdout } = await run(sls, ['print', '--stage', stage, '--format', 'json'], {
      cwd: REPO_ROOT,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    });
    return JSON.parse(stdout) as ResolvedConfig;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`sls print --stage ${stage} failed (is serverless.yml valid?):\n${detail.trim()}`);
  }
}

/** Stage params fall back to the defaults, as the framework resolves `${param:…}`. */
export function stageParam(config: ResolvedConfig, stage: string, name: string): unknown {
  return config.params[stage]?.[name] ?? config.params.default?.[name];
}

export function entityNames(config: ResolvedConfig, stage: string): string[] {
  const entities = stageParam(config, stage, 'entities');
  if (entities === null || typeof entities !== 'object')
    throw new Error('params.entities is missing from serverless.yml');
  return Object.keys(entities);
}
