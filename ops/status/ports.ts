import type { RunState } from '../../lib/jobs';

export interface JobRunRecord {
  /** `cdc-<mode>-<entities>` (lib/jobs). */
  readonly name: string;
  readonly jobRunId: string;
  readonly state: RunState;
  readonly createdAt: string;
  readonly endedAt?: string;
  /** Whose word the state is: EMR Serverless, or the local stack's spark-submit stand-in. */
  readonly stateFrom: 'emr-serverless' | 'local-spark-submit';
}

export interface JobRunHistory {
  /** Runs of the stage's Spark application created since `since`, any order. */
  runsSince(since: Date): Promise<JobRunRecord[]>;
}
