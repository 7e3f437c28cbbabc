import type { Random } from '../random';
import type { JsonObject, JsonValue } from '../types';

const DAY_MS = 86_400_000;

/** ISO-8601 UTC with milliseconds, as DESIGN.md's times are. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `YYYY-MM-DD`, `days` after `ms`. */
export function isoDateAfter(ms: number, days: number): string {
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysAgo(ms: number, days: number): number {
  return ms - days * DAY_MS;
}

/** How often an optional field is present, null, or left out altogether. */
export interface Presence {
  present: number;
  null: number;
}

/** Sets an optional field: present, null, or absent, so consumers meet all three. */
export function setOptional(
  target: JsonObject,
  field: string,
  random: Random,
  presence: Presence,
  make: () => JsonValue,
): void {
  const roll = random.next();
  if (roll < presence.present) target[field] = make();
  else if (roll < presence.present + presence.null) target[field] = null;
}

/** Fills a pattern: `9` → digit, `A` → capital letter, anything else kept. */
export function fillPattern(pattern: string, random: Random): string {
  let out = '';
  for (const symbol of pattern) {
    if (symbol === '9') out += String(random.int(0, 9));
    else if (symbol === 'A') out += String.fromCharCode(65 + random.int(0, 25));
    else out += symbol;
  }
  return out;
}

export function copyData(data: JsonObject): JsonObject {
  return structuredClone(data);
}
