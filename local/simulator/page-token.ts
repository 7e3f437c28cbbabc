import { isEntityName, type EntityName } from './entities';
import { BadRequestError } from './errors';
import type { ChangeKey } from './types';

/** What a keyset page token carries: the query and the last `(updatedAt, id)` the client was given. */
export interface PageCursor {
  entity: EntityName;
  updatedSince: string;
  sinceMs: number;
  limit: number;
  last: ChangeKey;
}

interface TokenBody {
  v: 1;
  e: string;
  s: string;
  l: number;
  t: number;
  i: string;
}

/** Opaque to clients: base64url of a small JSON object. */
export function encodePageToken(cursor: PageCursor): string {
  const body: TokenBody = {
    v: 1,
    e: cursor.entity,
    s: cursor.updatedSince,
    l: cursor.limit,
    t: cursor.last.updatedAtMs,
    i: cursor.last.id,
  };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PageCursor {
  const body = parseBody(token);
  if (!isTokenBody(body)) throw new BadRequestError('pageToken is not a token this server issued');
  return {
    entity: body.e,
    updatedSince: body.s,
    sinceMs: Date.parse(body.s),
    limit: body.l,
    last: { updatedAtMs: body.t, id: body.i },
  };
}

function isTokenBody(body: Partial<TokenBody> | undefined): body is TokenBody & { e: EntityName } {
  return (
    body !== undefined &&
    body.v === 1 &&
    isEntityName(body.e) &&
    typeof body.s === 'string' &&
    !Number.isNaN(Date.parse(body.s)) &&
    Number.isInteger(body.l) &&
    Number.isInteger(body.t) &&
    typeof body.i === 'string'
  );
}

function parseBody(token: string): Partial<TokenBody> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Partial<TokenBody>) : undefined;
  } catch {
    return undefined;
  }
}
