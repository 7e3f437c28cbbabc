import type { JobSpec } from './job-spec';

export type RunState =
  | 'SUBMITTED'
  | 'PENDING'
  | 'SCHEDULED'
  | 'RUNNING'
  | 'SUCCESS'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELLED'
  | 'QUEUED';
export const ACTIVE_STATES: readonly RunState[] = [
  'SUBMITTED',
  'PENDING',
  'SCHEDULED',
  'RUNNING',
  'QUEUED',
  'CANCELLING',
];

export interface ActiveRun {
  readonly name: string;
  readonly jobRunId: string;
  readonly state: RunState;
  /** The run's tags, for a supervised stream (`activeRuns` reads them for those only). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Where job runs happen: EMR Serverless on AWS, spark-submit on the local stack. */
export interface JobRunner {
  /** Every run still going, whatever its mode and entities. */
  activeRuns(): Promise<ActiveRun[]>;
  start(spec: JobSpec, clientToken: string): Promise<string>;
  /** Asks the run to stop (EMR CancelJobRun); it goes CANCELLING, then CANCELLED. */
  cancel(jobRunId: string): Promise<void>;
  state(jobRunId: string): Promise<RunState>;
  /** Runs that ended FAILED at or after `since` (each launcher run reports those since the one before). */
  failedSince(since: Date): Promise<ActiveRun[]>;
}
