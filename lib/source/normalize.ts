import type { SourceChange } from '../change/change-record';
import { type ResponseMapping, valueAt } from './mapping';

export type SourceEntry =
  | { readonly kind: 'change'; readonly change: SourceChange }
  /** Not a usable change: parked with reason MALFORMED_EVENT, never dropped; the page goes on. */
  | { readonly kind: 'malformed'; readonly problem: string; readonly raw: unknown; readonly id?: string };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
/** Clocks differ; a change stamped this far ahead of us is refused rather than moving the checkpoint into the future. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * One record of a source page as a change: an id (non-empty string), an instant (normalised to
 * UTC with milliseconds, which keeps the instant), an op, and the entity's data.
 */
export function normalizeEntry(raw: unknown, mapping: ResponseMapping, now: number): SourceEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return malformed(raw, `record is ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}, not an object`);
  const id = valueAt(raw, mapping.idField);
  if (typeof id !== 'string' || id.trim() === '') return malformed(raw, `${mapping.idField} must be a non-empty string, got ${JSON.stringify(id) ?? 'nothing'}`);
  const stamp = valueAt(raw, mapping.timestampField);
  const millis = typeof stamp === 'string' && ISO.test(stamp) ? Date.parse(stamp) : Number.NaN;
  if (!Number.isFinite(millis)) return malformed(raw, `${mapping.timestampField} must be an ISO-8601 instant with at most ms precision, got ${JSON.stringify(stamp) ?? 'nothing'}`, id);
  if (millis > now + MAX_CLOCK_SKEW_MS) return malformed(raw, `${mapping.timestampField} ${String(stamp)} is in the future`, id);
  const op = opOf(raw, mapping);
  if (op === undefined) return malformed(raw, `${mapping.opField} must be UPSERT or DELETE, got ${JSON.stringify(valueAt(raw, mapping.opField ?? ''))}`, id);
  const data = mapping.dataField === undefined ? raw : valueAt(raw, mapping.dataField);
  if (op === 'UPSERT' && (data === null || typeof data !== 'object' || Array.isArray(data))) return malformed(raw, `an UPSERT needs ${mapping.dataField ?? 'the record'} to be an object`, id);
  const dataObject = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  return { kind: 'change', change: { id, op, updatedAt: new Date(millis).toISOString(), data: dataObject } };
}

function opOf(raw: object, mapping: ResponseMapping): 'UPSERT' | 'DELETE' | undefined {
  if (mapping.deleteWhen && valueAt(raw, mapping.deleteWhen.field) === mapping.deleteWhen.equals) return 'DELETE';
  if (mapping.opField === undefined) return 'UPSERT';
  const op = valueAt(raw, mapping.opField);
  return op === 'UPSERT' || op === 'DELETE' ? op : undefined;
}

function malformed(raw: unknown, problem: string, id?: string): SourceEntry {
  return id === undefined ? { kind: 'malformed', problem, raw } : { kind: 'malformed', problem, raw, id };
}
