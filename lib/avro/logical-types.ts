import { types, type Schema } from 'avsc';
import { DayFormatter, formatIsoDay, formatIsoInstant, parseIsoDay, parseIsoInstant } from './iso-calendar';

/**
 * The source speaks ISO-8601 strings; Avro stores `timestamp-millis` (long) and `date` (int).
 * These logical types convert at the edge, so a record is validated and encoded straight from
 * the source's JSON and decodes back to the same strings. The bytes are plain Avro longs and
 * ints: any Avro reader (AWS's Java serde, Spark) reads them natively.
 *
 * Hot path: avsc converts a value once to validate it, once more to pick a nullable union's
 * branch and again to write it, so each type remembers its last text; plain shapes are parsed
 * and written by arithmetic (iso-calendar.ts), anything else by the regex + Date path below.
 * Decoding, each type remembers the text of its last day.
 */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export class IsoTimestampMillis extends types.LogicalType {
  private lastText: string | undefined;
  private lastMillis: number | undefined;
  private readonly days = new DayFormatter();

  protected override _fromValue(millis: number): string {
    return formatIsoInstant(millis, this.days) ?? new Date(millis).toISOString();
  }

  /** Only exact ISO-8601 instants with at most millisecond precision: no silent truncation. */
  protected override _toValue(value: unknown): number | undefined {
    if (typeof value !== 'string') {
      if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
      return undefined;
    }
    if (value === this.lastText) return this.lastMillis;
    const millis = parseIsoInstant(value) ?? parseIsoInstantExactly(value);
    this.lastText = value;
    this.lastMillis = millis;
    return millis;
  }

  protected override _resolve(type: unknown): ((v: unknown) => unknown) | undefined {
    if (type instanceof types.LongType) return (v) => this._fromValue(v as number);
    if (type instanceof IsoTimestampMillis) return (v) => v;
    return undefined;
  }
}

export class IsoDate extends types.LogicalType {
  private lastText: string | undefined;
  private lastDays: number | undefined;
  private readonly days = new DayFormatter();

  protected override _fromValue(days: number): string {
    return formatIsoDay(days, this.days) ?? new Date(days * DAY_MS).toISOString().slice(0, 10);
  }

  /** A real calendar day (2026-02-30 is refused, not rolled over into March). */
  protected override _toValue(value: unknown): number | undefined {
    if (typeof value !== 'string') return undefined;
    if (value === this.lastText) return this.lastDays;
    // Years 0000–0099 take the exact path: Date.UTC reads them as 1900–1999, which refuses them.
    const plain = value.length === 10 && !value.startsWith('00') ? parseIsoDay(value) : undefined;
    const days = plain ?? parseIsoDayExactly(value);
    this.lastText = value;
    this.lastDays = days;
    return days;
  }

  protected override _resolve(type: unknown): ((v: unknown) => unknown) | undefined {
    if (type instanceof types.IntType) return (v) => this._fromValue(v as number);
    if (type instanceof IsoDate) return (v) => v;
    return undefined;
  }
}

function parseIsoInstantExactly(value: string): number | undefined {
  if (!ISO_TIMESTAMP.test(value)) return undefined;
  const millis = Date.parse(value);
  return Number.isFinite(millis) ? millis : undefined;
}

function parseIsoDayExactly(value: string): number | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const millis = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(millis).toISOString().startsWith(value) ? millis / DAY_MS : undefined;
}

export const LOGICAL_TYPES: Record<string, new (schema: Schema, opts?: unknown) => types.LogicalType> = {
  'timestamp-millis': IsoTimestampMillis,
  date: IsoDate,
};
