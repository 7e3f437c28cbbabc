/**
 * npm run schemas:register -- --stage <stage> [--region <region>]
 * Registers each schemas/<entity>.avsc in the stage's Glue registry (a deploy step; the local
 * stack runs the same code when it provisions). Idempotent; refuses incompatible changes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GlueClient } from '@aws-sdk/client-glue';
import { commandLineOf, readFlags } from '../../cli/command-line';
import { GlueSchemaRegistry, registerSchema } from '../../lib/registry';
import type { CompatibilityMode } from '../../lib/registry';
import { localClientConfig } from '../../stage/local-aws';
import { REPO_ROOT, loadResolvedConfig, stageParam } from '../../stage/resolved-config';

const USAGE = 'usage: npm run schemas:register -- --stage <stage> [--region <region>]';

async function main(): Promise<void> {
  const { stage, region } = commandLineOf(USAGE, (argv) => readFlags(argv, { stage: 'string', region: 'string' }));
  if (!stage) throw new Error(USAGE);
  const config = await loadResolvedConfig(stage);
  const entities = stageParam(config, stage, 'entities') as Record<
    string,
    { compatibility?: CompatibilityMode } | null
  >;
  const prefix = String(stageParam(config, stage, 'topicPrefix'));
  const glue = new GlueClient(
    stage === 'local' ? localClientConfig() : { region: region ?? process.env.AWS_REGION ?? 'us-east-1' },
  );
  const registry = new GlueSchemaRegistry(glue, config.custom.names.schemaRegistry);
  for (const [entity, options] of Object.entries(entities)) {
    const outcome = await registerSchema(
      registry,
      {
        schemaName: `${prefix}.${entity}`,
        definition: readFileSync(path.join(REPO_ROOT, 'schemas', `${entity}.avsc`), 'utf8'),
        compatibility: options?.compatibility ?? 'BACKWARD',
      },
      { log: console.log },
    );
    console.log(
      `${outcome.schemaName}: ${outcome.action} (version ${outcome.versionNumber}, ${outcome.schemaVersionId})`,
    );
  }
  glue.destroy();
}

main().catch((error: unknown) => {
  console.error(`schemas:register failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
