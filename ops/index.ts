/**
 * Operator commands for a stage (local or deployed): its status, replaying an entity from a
 * time, and re-driving archived stale events. The CLIs are in ops/cli/; everything here can
 * also be called in-process (the demo prints the status this way).
 */
export { collectStatus, type CollectStatusOptions } from './status/collect-status';
export { formatStatus } from './status/format-status';
export { gatherStatus, type StatusRequest, type StatusSources } from './status/gather-status';
export type {
  ArchivedSummary,
  CheckpointStatus,
  EntityStatus,
  FallbackCount,
  FallbackSummary,
  ParkedSample,
  PipelineStatus,
  StaleSummary,
} from './status/pipeline-status';
export type { JobRunHistory, JobRunRecord } from './status/ports';
export { applyReplay, planReplay, type ReplayOutcome, type ReplayPlan, type ReplayRequest } from './replay/replay';
export { formatReplayOutcome, formatReplayPlan } from './replay/format-replay';
export {
  planStaleRedrive,
  SKIP_EXPLANATIONS,
  type ArchivePlan,
  type PlannedEvent,
  type SkipReason,
  type StaleRedrivePlan,
  type StaleRedriveRequest,
} from './redrive-stale/plan';
export {
  applyStaleRedrive,
  restoredEvent,
  type ArchiveOutcome,
  type StaleRedriveDependencies,
  type StaleRedriveReport,
} from './redrive-stale/apply';
export { formatRedrivePlan, formatRedriveReport } from './redrive-stale/format-redrive';
export { type RedriveLedger, type StaleArchive, ledgerKey } from './archive/stale-archive';
export { S3StaleArchive } from './archive/s3-stale-archive';
export { InMemoryStaleArchive } from './archive/in-memory-stale-archive';
export {
  type OpsStage,
  requireEntity,
  resolveStage,
  type ResolveStageOptions,
  stageFromConfig,
} from './stage/ops-stage';
export { openStage, type StageAdapters } from './stage/open-stage';
export {
  ArchiveNotFoundError,
  CheckpointMovedError,
  ConfirmationRequiredError,
  UnknownEntityError,
  UsageError,
} from './errors';
