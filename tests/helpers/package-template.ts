import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { slsPackage } from '../../local/serverless/sls-package';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;
  Outputs?: Record<string, unknown>;
}

/**
 * `sls package` exactly as a user runs it, with no AWS credentials at all, into a temp dir;
 * returns the CloudFormation template it would deploy. `params` are `--param k=v` overrides.
 */
export async function packageTemplate(
  stage: string,
  params: Readonly<Record<string, string>> = {},
): Promise<CfnTemplate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `cdc-package-${stage}-`));
  try {
    await slsPackage(stage, dir, { params, timeoutMs: 90_000 });
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
