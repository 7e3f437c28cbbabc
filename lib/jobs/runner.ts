import type { JobSpec } from './job-spec';

export type RunState = 'SUBMITTED' | 'PENDING' | 'SCHEDULED' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'CANCELLING' | 'CANCELLED' | 'QUEUED';
export const ACTIVE_STATES: readonly RunState[] = ['SUBMITTED', 'PENDING', 'SCHEDULED', 'RUNNING', 'QUEUED', 'CANCELLING'];

/** Where job runs happen: EMR Serverless on AWS, spark-submit on the local stack. */
export interface JobRunner {
  /** The run of this name that is still going, if any. */
  active(name: string): Promise<{ jobRunId: string; state: RunState } | undefined>;
  start(spec: JobSpec, clientToken: string): Promise<string>;
  state(jobRunId: string): Promise<RunState>;
}
