import { SourceError } from './errors';
import { type ResponseMapping, valueAt } from './mapping';
import { normalizeEntry } from './normalize';
import type { SourcePage } from './http-source';

/** A parsed response body as a page, through the entity's response mapping; `path` names the request in errors. */
export function pageOf(json: unknown, mapping: ResponseMapping, path: string, now: number): SourcePage {
  const records = valueAt(json, mapping.recordsPath);
  if (records === undefined && mapping.paging.style === 'none') return { entries: [], nextPageToken: null };
  if (!Array.isArray(records))
    throw new SourceError(
      `GET ${path}: ${mapping.recordsPath} is not an array in the response; check the entity's response mapping`,
      { retriable: false },
    );
  const next = mapping.paging.style === 'token' ? valueAt(json, mapping.paging.nextTokenPath) : null;
  if (next !== null && next !== undefined && (typeof next !== 'string' || next === '')) {
    throw new SourceError(
      `GET ${path}: ${mapping.paging.style === 'token' ? mapping.paging.nextTokenPath : 'next page token'} must be a non-empty string or null`,
      { retriable: false },
    );
  }
  return {
    entries: records.map((r) => normalizeEntry(r, mapping, now)),
    nextPageToken: typeof next === 'string' ? next : null,
  };
}
