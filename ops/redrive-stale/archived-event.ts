import { PARK_REASONS, type ParkReason } from '../../lib/fallback';

/** One line of a stale archive: the fallback item whole (lib/redrive/archive.ts), payload resolved. */
export interface ArchivedEvent {
  readonly entity: string;
  readonly id: string;
  readonly updatedAt: string;
  readonly eventId: string;
  readonly status: string;
  readonly reason: ParkReason;
  readonly error: string;
  readonly attempts: number;
  readonly firstSeenAt: string;
  readonly payload: unknown;
  readonly staleBecause?: string;
  readonly supersededBy?: string;
}

/** The event of one archive line, or why it cannot be read as one. */
export function parseArchivedEvent(line: string): ArchivedEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (value === null || typeof value !== 'object') return 'not a JSON object';
  const item = value as Record<string, unknown>;
  for (const field of ['entity', 'id', 'updatedAt', 'eventId', 'status', 'firstSeenAt'] as const) {
    if (typeof item[field] !== 'string' || item[field] === '') return `${field} is missing`;
  }
  if (!(PARK_REASONS as readonly unknown[]).includes(item.reason))
    return `reason ${JSON.stringify(item.reason)} is not one of ${PARK_REASONS.join(', ')}`;
  return {
    ...(item as unknown as ArchivedEvent),
    error: typeof item.error === 'string' ? item.error : '',
    attempts: typeof item.attempts === 'number' ? item.attempts : 0,
  };
}
