import type { SourceChange } from '../change/change-record';
import { excerpt } from '../change/json-text';
import { type ResponseMapping, valueAt } from './mapping';

export type SourceEntry =
  | { readonly kind: 'change'; readonly change: SourceChange }
  /** Not a usable change: parked with its reason (MALFORMED_EVENT, PAYLOAD_TOO_LARGE), never dropped; the page goes on. */
  | {
      readonly kind: 'malformed';
      readonly problem: string;
      readonly raw: unknown;
      readonly id?: string;
      readonly reason: 'MALFORMED_EVENT' | 'PAYLOAD_TOO_LARGE';
    };

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
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return malformed(
      raw,
      `record is ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}, not an object`,
    );
  // Before anything reads or quotes a field: a field nested thousands of levels deep would make
  // JSON.stringify throw, and the run with it, on every retry of the same page.
  const shape = shapeProblem(raw);
  const id = valueAt(raw, mapping.idField);
  const usableId = typeof id === 'string' && id.trim() !== '' && !LONE_SURROGATE.test(id) ? id : undefined;
  if (shape !== undefined) return malformed(raw, shape, usableId);
  if (typeof id !== 'string' || id.trim() === '')
    return malformed(raw, `${mapping.idField} must be a non-empty string, got ${excerpt(id)}`);
  const stamp = valueAt(raw, mapping.timestampField);
  const millis = typeof stamp === 'string' && ISO.test(stamp) ? Date.parse(stamp) : Number.NaN;
  if (!Number.isFinite(millis))
    return malformed(
      raw,
      `${mapping.timestampField} must be an ISO-8601 instant with at most ms precision, got ${excerpt(stamp)}`,
      id,
    );
  if (millis > now + MAX_CLOCK_SKEW_MS)
    return malformed(raw, `${mapping.timestampField} ${String(stamp)} is in the future`, id);
  // The epoch (or before) is a placeholder of a missing time, not when a change happened.
  if (millis <= 0)
    return malformed(
      raw,
      `${mapping.timestampField} ${String(stamp)} is at or before the Unix epoch: a placeholder, not a change time`,
      id,
    );
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > MAX_RECORD_BYTES)
    return {
      kind: 'malformed',
      problem: `record is ${bytes} bytes of JSON, over the ${MAX_RECORD_BYTES}-byte limit`,
      raw,
      id,
      reason: 'PAYLOAD_TOO_LARGE',
    };
  const op = opOf(raw, mapping);
  if (op === undefined)
    return malformed(
      raw,
      `${mapping.opField} must be UPSERT or DELETE, got ${excerpt(valueAt(raw, mapping.opField ?? ''))}`,
      id,
    );
  const data = mapping.dataField === undefined ? raw : valueAt(raw, mapping.dataField);
  if (op === 'UPSERT' && (data === null || typeof data !== 'object' || Array.isArray(data)))
    return malformed(raw, `an UPSERT needs ${mapping.dataField ?? 'the record'} to be an object`, id);
  const dataObject =
    data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  return { kind: 'change', change: { id, op, updatedAt: new Date(millis).toISOString(), data: dataObject } };
}

/** A UTF-16 surrogate without its pair: JSON can carry it as an escape, UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What makes a record unusable whatever its schema, or undefined: nesting deeper than the
 * limit; a number JSON.parse turned into Infinity (`1e400`: Avro would take it, and raw and
 * Delta would store null); a lone surrogate in a string or a key (`"x\ud800"`: encoded as
 * U+FFFD, two different ids would become one). Iterative, so any depth is safe to ask about.
 */
function shapeProblem(record: object): string | undefined {
  const stack: [unknown, string, number][] = [[record, '', 1]];
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!;
    if (typeof node === 'number' && !Number.isFinite(node))
      return `${path} is a number too large for a double (it parses to ${node})`;
    if (typeof node === 'string' && LONE_SURROGATE.test(node))
      return `${path} has a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape), which no UTF-8 text can hold`;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_RECORD_DEPTH)
      return `record is nested deeper than ${MAX_RECORD_DEPTH} levels (at ${path.slice(0, 80)}…)`;
    for (const [key, child] of Object.entries(node)) {
      const at = Array.isArray(node) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      if (LONE_SURROGATE.test(key))
        return `the field name at ${excerpt(at, 80)} has a lone UTF-16 surrogate, which no UTF-8 text can hold`;
      stack.push([child, at, depth + 1]);
    }
  }
  return undefined;
}

function opOf(raw: object, mapping: ResponseMapping): 'UPSERT' | 'DELETE' | undefined {
  if (mapping.deleteWhen && valueAt(raw, mapping.deleteWhen.field) === mapping.deleteWhen.equals) return 'DELETE';
  if (mapping.opField === undefined) return 'UPSERT';
  const op = valueAt(raw, mapping.opField);
  return op === 'UPSERT' || op === 'DELETE' ? op : undefined;
}

function malformed(raw: unknown, problem: string, id?: string): SourceEntry {
  return id === undefined
    ? { kind: 'malformed', problem, raw, reason: 'MALFORMED_EVENT' }
    : { kind: 'malformed', problem, raw, id, reason: 'MALFORMED_EVENT' };
}
