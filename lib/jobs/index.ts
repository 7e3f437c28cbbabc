export { entitiesOfRun, JOB_ARTIFACTS, type JobSettings, type JobSpec, jobSpec } from './job-spec';
export { ACTIVE_STATES, type ActiveRun, type JobRunner, type RunState } from './runner';
export { EmrServerlessRunner } from './emr-runner';
export { launchJobs, type LaunchedRun, type LaunchRequest } from './launch';
export { failedRunsToReport } from './failed-runs';
