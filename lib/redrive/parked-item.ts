import type { FallbackStatus, ParkReason } from '../fallback';

/** A fallback-table item as the retry function reads it (DESIGN.md boundary 4). */
export interface ParkedItem {
  readonly pk: string;
  readonly sk: string;
  readonly entity: string;
  readonly id: string;
  readonly updatedAt: string;
  readonly eventId: string;
  readonly status: FallbackStatus;
  readonly reason: ParkReason;
  readonly error: string;
  readonly attempts: number;
  readonly firstSeenAt: string;
  readonly nextAttemptAt: string;
  /** The payload as stored: inline JSON text, or a pointer to S3 for a large one. */
  readonly payload?: string;
  readonly payloadS3?: { bucket: string; key: string };
  readonly violations?: unknown[];
  readonly history?: { at: string; error: string }[];
  readonly claimedBy?: string;
  readonly claimUntil?: string;
  readonly supersededBy?: string;
  readonly staleBecause?: string;
}

/** What a retry attempt changes on an item that stays parked. */
export interface Reschedule {
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly error: string;
  readonly at: string;
}

/** Keeps the last attempts' errors with the item, for the stale archive. */
export const HISTORY_LIMIT = 20;
