import type { Random } from './random';
import type { ChangeEvent, JsonValue } from './types';

export type MalformedKind = 'NOT_AN_OBJECT' | 'MISSING_ID' | 'BAD_UPDATED_AT';

export interface MalformedEntry {
  kind: MalformedKind;
  entry: JsonValue;
}

const NOT_OBJECTS: readonly JsonValue[] = ['<<truncated record>>', 42, null, true, ['c-1', 'UPSERT']];
const BAD_TIMES: readonly JsonValue[] = ['not-a-timestamp', '2026-02-30T25:61:00.000Z', '', '17/11/2026 10:00'];

/**
 * A junk entry to slip into a page, the way a buggy source emits one: not an object,
 * an object without an id, or one whose updatedAt cannot be parsed. Junk ids
 * (`malformed-N`) never collide with a real record's id.
 */
export function makeMalformedEntry(random: Random, sample: ChangeEvent | undefined, sequence: number): MalformedEntry {
  const kind = random.pick<MalformedKind>(['NOT_AN_OBJECT', 'MISSING_ID', 'BAD_UPDATED_AT']);
  if (kind === 'NOT_AN_OBJECT') return { kind, entry: random.pick(NOT_OBJECTS) };
  if (kind === 'MISSING_ID') {
    return {
      kind,
      entry: { op: 'UPSERT', updatedAt: sample?.updatedAt ?? '2026-01-01T00:00:00.000Z', data: sample?.data ?? null },
    };
  }
  return { kind, entry: { id: `malformed-${sequence}`, op: 'UPSERT', updatedAt: random.pick(BAD_TIMES), data: null } };
}
