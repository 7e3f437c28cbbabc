export {
  entitiesOfRun,
  JOB_ARTIFACTS,
  type JobMode,
  type JobSettings,
  type JobSpec,
  jobSpec,
  STREAM_MAX_FAILED_ATTEMPTS_PER_HOUR,
} from './job-spec';
export { ACTIVE_STATES, type ActiveRun, type JobRunner, type RunState } from './runner';
export { EmrServerlessRunner } from './emr-runner';
export { launchJobs, type LaunchedRun, type LaunchRequest } from './launch';
export { failedRunsToReport } from './failed-runs';
export {
  type LatestSchemaVersion,
  SCHEMAS_TAG,
  type StreamSupervision,
  superviseStreams,
  type SupervisedStream,
} from './supervise';
