import { ENTITY_NAMES, isEntityName, type EntityName } from './entities';
import { BadRequestError } from './errors';
import { decodePageToken } from './page-token';
import type { ChangeKey } from './types';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** ISO-8601 date-time with an explicit zone (Z or ±hh:mm); fractions beyond ms are accepted and truncated. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A validated `GET /cdc` request. */
export interface CdcQuery {
  entity: EntityName;
  updatedSince: string;
  sinceMs: number;
  limit: number;
  /** Set when the request carries a pageToken: the last key the client was given. */
  after: ChangeKey | null;
}

export function parseCdcQuery(params: URLSearchParams): CdcQuery {
  const token = params.get('pageToken');
  const limit = parseLimit(params.get('limit'));
  if (token !== null && token !== '') return continuedQuery(token, params, limit);
  const entity = parseEntity(params.get('entity'));
  const updatedSince = params.get('updatedSince');
  if (updatedSince === null || updatedSince === '')
    throw new BadRequestError('updatedSince is required (ISO-8601 UTC, e.g. 2026-01-01T00:00:00.000Z)');
  return { entity, updatedSince, sinceMs: parseTime(updatedSince), limit: limit ?? DEFAULT_LIMIT, after: null };
}

/** A follow-up page: the token carries the query; parameters repeated beside it must agree with it. */
function continuedQuery(token: string, params: URLSearchParams, limit: number | undefined): CdcQuery {
  const cursor = decodePageToken(token);
  const entity = params.get('entity');
  if (entity !== null && entity !== '' && entity !== cursor.entity) {
    throw new BadRequestError(`pageToken belongs to entity "${cursor.entity}", not "${entity}"`);
  }
  const updatedSince = params.get('updatedSince');
  if (updatedSince !== null && updatedSince !== '' && parseTime(updatedSince) !== cursor.sinceMs) {
    throw new BadRequestError(`pageToken belongs to updatedSince=${cursor.updatedSince}, not ${updatedSince}`);
  }
  return {
    entity: cursor.entity,
    updatedSince: cursor.updatedSince,
    sinceMs: cursor.sinceMs,
    limit: limit ?? cursor.limit,
    after: cursor.last,
  };
}

function parseEntity(value: string | null): EntityName {
  if (value === null || value === '')
    throw new BadRequestError(`entity is required; one of ${ENTITY_NAMES.join(', ')}`);
  if (!isEntityName(value)) throw new BadRequestError(`unknown entity "${value}"; one of ${ENTITY_NAMES.join(', ')}`);
  return value;
}

function parseTime(value: string): number {
  const ms = ISO_DATE_TIME.test(value) && hasRealCalendarFields(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new BadRequestError(`updatedSince "${value}" is not an ISO-8601 date-time such as 2026-01-01T00:00:00.000Z`);
  return ms;
}

/** Date.parse rolls 2026-02-30 over into March; a real API would reject it, so we do. */
function hasRealCalendarFields(value: string): boolean {
  const [year, month, day, hour, minute, second] = value
    .split(/[-T:.Z+]/)
    .slice(0, 6)
    .map(Number) as number[];
  const utc = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0, hour ?? 0, minute ?? 0, second ?? 0));
  return (
    utc.getUTCMonth() === (month ?? 0) - 1 &&
    utc.getUTCDate() === day &&
    utc.getUTCHours() === hour &&
    utc.getUTCMinutes() === minute &&
    utc.getUTCSeconds() === second
  );
}

function parseLimit(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const limit = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    throw new BadRequestError(`limit must be an integer from 1 to ${MAX_LIMIT}, got "${value}"`);
  return limit;
}
