import type { SourceChange } from '../change/change-record';
import { type ResponseMapping, valueAt } from './mapping';

export type SourceEntry =
  | { readonly kind: 'change'; readonly change: SourceChange }
  /** Not a usable change: parked with its reason (MALFORMED_EVENT, PAYLOAD_TOO_LARGE), never dropped; the page goes on. */
  | { readonly kind: 'malformed'; readonly problem: string; readonly raw: unknown; readonly id?: string; readonly reason: 'MALFORMED_EVENT' | 'PAYLOAD_TOO_LARGE' };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
/** Clocks differ; a change stamped this far ahead of us is refused rather than moving the checkpoint into the future. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * Input size limits per record: its JSON at most 400 KB (DynamoDB's item size, and well under a
 * Kafka message), nesting at most 32 levels (DynamoDB's own limit; deeper is an attack or a bug,
 * and would overflow the stack of recursive hashing and encoding).
 */
export const MAX_RECORD_BYTES = 400 * 1024;
export const MAX_RECORD_DEPTH = 32;

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
  // The epoch (or before) is a placeholder of a missing time, not when a change happened.
  if (millis <= 0) return malformed(raw, `${mapping.timestampField} ${String(stamp)} is at or before the Unix epoch: a placeholder, not a change time`, id);
  if (deeperThan(raw, MAX_RECORD_DEPTH)) return malformed(raw, `record is nested deeper than ${MAX_RECORD_DEPTH} levels`, id);
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > MAX_RECORD_BYTES) return { kind: 'malformed', problem: `record is ${bytes} bytes of JSON, over the ${MAX_RECORD_BYTES}-byte limit`, raw, id, reason: 'PAYLOAD_TOO_LARGE' };
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
  return id === undefined ? { kind: 'malformed', problem, raw, reason: 'MALFORMED_EVENT' } : { kind: 'malformed', problem, raw, id, reason: 'MALFORMED_EVENT' };
}

/** Whether objects/arrays nest deeper than `limit` levels; iterative, so any depth is safe to ask about. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
