import { UsageError } from '../errors';

// A zone is required with a time: a local time would mean different instants on different machines.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO-8601 instant (`2026-11-24T10:00:00Z`, with ms or an offset) or a day (`2026-11-24`, midnight UTC). */
export function parseInstant(argument: string, value: string): Date {
  const millis = INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(millis))
    throw new UsageError(
      argument,
      `"${value}" is not an ISO-8601 time with a zone (e.g. 2026-11-24T10:00:00Z) or a day (2026-11-24)`,
    );
  return new Date(millis);
}
