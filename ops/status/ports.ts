import type { FallbackStatus } from '../../lib/fallback';
import type { RunState } from '../../lib/jobs';

/** What the status needs of one fallback item: its key, status, reason and times, never its payload. */
export interface ParkedItemHeader {
  readonly entity: string;
  readonly id: string;
  readonly status: FallbackStatus;
  readonly reason: string;
  readonly firstSeenAt: string;
  readonly nextAttemptAt: string;
}

export interface FallbackCensus {
  /** Every item of this status, page by page (through the status/next-attempt index, not a scan). */
  itemsWithStatus(status: FallbackStatus): AsyncIterable<ParkedItemHeader>;
}

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
