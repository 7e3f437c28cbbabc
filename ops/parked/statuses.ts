import { FALLBACK_STATUSES, type FallbackStatus, PARK_REASONS, type ParkReason } from '../../lib/fallback';
import { UsageError } from '../errors';

/** Every status, in the order the listing visits them: the open ones first. */
export const LISTED_STATUSES = FALLBACK_STATUSES;

export const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;

export function parseStatus(value: string | undefined): FallbackStatus | undefined {
  if (value === undefined) return undefined;
  const status = value.trim().toUpperCase();
  if (!(LISTED_STATUSES as readonly string[]).includes(status))
    throw new UsageError('--status', `"${value}" is not a status; the statuses are ${LISTED_STATUSES.join(', ')}`);
  return status as FallbackStatus;
}

export function parseReason(value: string | undefined): ParkReason | undefined {
  if (value === undefined) return undefined;
  const reason = value.trim().toUpperCase();
  if (!(PARK_REASONS as readonly string[]).includes(reason))
    throw new UsageError('--reason', `"${value}" is not a reason; the reasons are ${PARK_REASONS.join(', ')}`);
  return reason as ParkReason;
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new UsageError('--limit', `takes a whole number from 1 to ${MAX_LIMIT}, got "${value}"`);
  return limit;
}

/** What one page asks for: one more than shown tells whether more exist, and DynamoDB's BatchGetItem takes 100 keys. */
export const pageSizeFor = (limit: number): number => Math.min(limit + 1, 100);
