import type { CheckpointStoreConfig } from '../../lib/config';
import type { OpsStage, ResolveStageOptions } from '../stage/ops-stage';
import { openStage, type StageAdapters } from '../stage/open-stage';
import { gatherStatus } from './gather-status';
import type { CheckpointStoreSummary, PipelineStatus } from './pipeline-status';

export interface CollectStatusOptions extends ResolveStageOptions {
  /** How far back stale archives and job runs are read; default 7 days. */
  readonly historyDays?: number;
  /** Adapters already open (tests, or a caller that keeps them); `stage` is then ignored. */
  readonly adapters?: StageAdapters;
}

/**
 * The status of a stage: a name (its serverless.yml is resolved with `sls print`), or an OpsStage
 * already resolved (e.g. the demo's, or one re-pointed at scratch tables).
 */
export async function collectStatus(
  stage: string | OpsStage,
  options: CollectStatusOptions = {},
): Promise<PipelineStatus> {
  const adapters = options.adapters ?? (await openStage(stage, options));
  try {
    return await gatherStatus(adapters, {
      stage: adapters.stage.stage,
      checkpointStore: checkpointStoreSummary(adapters.stage.checkpointStore),
      thresholds: adapters.stage.health,
      entities: adapters.stage.entities,
      historyDays: options.historyDays,
    });
  } finally {
    if (options.adapters === undefined) await adapters.close();
  }
}

/** The store without its secret's name: what an operator needs to find the checkpoints. */
function checkpointStoreSummary(config: CheckpointStoreConfig): CheckpointStoreSummary {
  return config.kind === 'dynamodb'
    ? { kind: 'dynamodb', table: config.table }
    : { kind: 'postgres', table: config.table, database: `${config.host}:${config.port}/${config.database}` };
}
