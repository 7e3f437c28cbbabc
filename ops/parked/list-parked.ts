import type { FallbackStatus, ParkedItem, ParkReason } from '../../lib/fallback';
import type { ParkedFilter, ParkedItems } from './ports';
import { pageSizeFor } from './statuses';

/** One listed item: what tells an operator what is wrong, never the payload. */
export interface ParkedRow {
  readonly entity: string;
  readonly id: string;
  readonly updatedAt: string;
  readonly eventId: string;
  readonly status: FallbackStatus;
  readonly reason: ParkReason;
  readonly attempts: number;
  readonly firstSeenAt: string;
  readonly nextAttemptAt: string;
  /** The failing fields' paths (validation errors), as the item keeps them. */
  readonly fields: readonly string[];
  /** How many fields failed, when the item keeps only the first ones. */
  readonly fieldsInAll?: number;
  readonly error: string;
}

export interface ParkedListing {
  readonly location: string;
  readonly filter: ParkedFilter;
  readonly limit: number;
  readonly rows: readonly ParkedRow[];
  /** True when at least one more item matches than the rows show. */
  readonly more: boolean;
}

/** At most `limit` matching items, reading one more to know whether more exist, and not a page further. */
export async function listParked(items: ParkedItems, filter: ParkedFilter, limit: number): Promise<ParkedListing> {
  const rows: ParkedRow[] = [];
  let more = false;
  for await (const item of items.list(filter, pageSizeFor(limit))) {
    if (rows.length === limit) {
      more = true;
      break;
    }
    rows.push(rowOf(item));
  }
  return { location: items.location, filter, limit, rows, more };
}

// boundedForTable (lib/fallback/parked-item.ts) appends this when it kept only the first violations.
const FIELDS_IN_ALL = /\[(\d+) failing fields; the first \d+ are listed\]$/;

export function rowOf(item: ParkedItem): ParkedRow {
  const inAll = FIELDS_IN_ALL.exec(item.error)?.[1];
  return {
    entity: item.entity,
    id: item.id,
    updatedAt: item.updatedAt,
    eventId: item.eventId,
    status: item.status,
    reason: item.reason,
    attempts: item.attempts,
    firstSeenAt: item.firstSeenAt,
    nextAttemptAt: item.nextAttemptAt,
    fields: (item.violations ?? []).map((v) => v.path || '(record)'),
    ...(inAll === undefined ? {} : { fieldsInAll: Number(inAll) }),
    error: item.error,
  };
}
