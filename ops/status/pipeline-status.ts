import type { EntityHealth } from './health';
import type { FallbackStatus } from '../../lib/fallback';
import type { JobRunRecord } from './ports';

/** One stage's state as an operator sees it; `formatStatus` prints it as tables, `--json` as is. */
export interface PipelineStatus {
  readonly stage: string;
  /** Each entity judged as its alarms would judge it (OK, WARN, ALARM), with the findings. */
  readonly health: readonly EntityHealth[];
  /** Where the checkpoints below were read: the poller's store. */
  readonly checkpointStore: CheckpointStoreSummary;
  /** When it was collected; every age below is relative to it. */
  readonly at: string;
  readonly entities: EntityStatus[];
  readonly fallback: FallbackSummary;
  readonly stale: StaleSummary;
  readonly jobs: JobRunRecord[];
  readonly consumerFailures: ConsumerFailureSummary;
  /** Parts that could not be read (e.g. no EMR application); the rest is still shown. */
  readonly problems: string[];
}

export interface CheckpointStoreSummary {
  readonly kind: 'dynamodb' | 'postgres';
  readonly table: string;
  /** PostgreSQL's host:port/database. */
  readonly database?: string;
}

export interface EntityStatus {
  readonly entity: string;
  /** Null when the entity was never polled. */
  readonly checkpoint: CheckpointStatus | null;
  /** now − checkpoint.updatedAt (the source time the poller has read up to), in seconds. */
  readonly lagSeconds: number | null;
  /** The run polling the entity now (its unexpired lease), or null. */
  readonly polling: { readonly runId: string; readonly until: string } | null;
  readonly parked: number;
  readonly parkedByStatus: Readonly<Record<FallbackStatus, number>>;
}

export interface CheckpointStatus {
  /** The source's updatedAt the poller has handed off everything up to (inclusive watermark). */
  readonly updatedAt: string;
  /** Events handed off at exactly `updatedAt` (a tie the next run skips). */
  readonly eventIdsAtUpdatedAt: number;
  readonly version: number;
  readonly savedAt: string | null;
  readonly savedBy: string | null;
}

export interface FallbackCount {
  readonly entity: string;
  readonly status: FallbackStatus;
  readonly reason: string;
  readonly count: number;
}

export interface ParkedSample {
  readonly entity: string;
  readonly id: string;
  readonly status: FallbackStatus;
  readonly reason: string;
  /** firstSeenAt: when the event was first parked. */
  readonly parkedAt: string;
  readonly ageSeconds: number;
}

export interface FallbackSummary {
  readonly total: number;
  readonly byStatus: Readonly<Record<FallbackStatus, number>>;
  /** RETRIABLE and AMBIGUOUS items whose next attempt is due now. */
  readonly due: number;
  /** entity × status × reason, only the non-zero ones. */
  readonly counts: FallbackCount[];
  /** The item parked longest ago, of any status; null when the table is empty. */
  readonly oldest: ParkedSample | null;
}

/**
 * Stale events live in two places: items the retry function marked STALE (or SUPERSEDED) still
 * in the table, waiting for its next sweep to archive them; and events in the archive objects.
 */
export interface StaleSummary {
  readonly inTable: { readonly STALE: number; readonly SUPERSEDED: number };
  readonly archived: ArchivedSummary;
}

export interface ArchivedSummary {
  readonly bucket: string;
  /** Archives written since this time are counted. */
  readonly since: string;
  readonly objects: number;
  readonly events: number;
  /** By the status the event had when archived (STALE or SUPERSEDED). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** s3:// location of the newest archive object, if any. */
  readonly latest: string | null;
}

/** The consumer's MSK on-failure destination and what is in it (each object one whole batch). */
export interface ConsumerFailureSummary {
  /** s3:// location the mappings write to. */
  readonly destination: string;
  readonly batches: number;
  /** s3:// location of the last object in key order (keys hold the write time), if any. */
  readonly latest: string | null;
}
