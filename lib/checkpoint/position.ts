/**
 * A tie-safe position in a source whose `updatedSince` is inclusive and whose timestamps are not
 * unique: the low watermark plus the eventIds already handed off AT that timestamp. The next
 * run re-queries from the watermark (inclusively) and skips exactly those events, so a page
 * that ended inside a run of equal timestamps loses nothing and repeats nothing.
 */
export interface Position {
  readonly updatedAt: string;
  readonly eventIdsAtUpdatedAt: readonly string[];
}

export const START_OF_TIME: Position = { updatedAt: '1970-01-01T00:00:00.000Z', eventIdsAtUpdatedAt: [] };

export interface Progress {
  readonly updatedAt: string;
  readonly eventId: string;
  /** Acknowledged by Kafka or written to the fallback table. */
  readonly handedOff: boolean;
}

/** True for an event the position says was handed off already (an exact duplicate). */
export function alreadyHandedOff(position: Position, updatedAt: string, eventId: string): boolean {
  return updatedAt === position.updatedAt && position.eventIdsAtUpdatedAt.includes(eventId);
}

/**
 * The position after a run: it moves over the longest prefix of events (in source order) that
 * were all handed off, never past one that was not, and never backwards.
 */
export function advance(position: Position, events: readonly Progress[]): Position {
  let next = position;
  for (const event of events) {
    if (!event.handedOff) break;
    if (event.updatedAt < next.updatedAt) continue;
    next =
      event.updatedAt === next.updatedAt
        ? { updatedAt: next.updatedAt, eventIdsAtUpdatedAt: unique([...next.eventIdsAtUpdatedAt, event.eventId]) }
        : { updatedAt: event.updatedAt, eventIdsAtUpdatedAt: [event.eventId] };
  }
  return next;
}

/** Positions compare by watermark, then by how much of the watermark's tie is covered. */
export function isBehind(candidate: Position, current: Position): boolean {
  if (candidate.updatedAt !== current.updatedAt) return candidate.updatedAt < current.updatedAt;
  return !current.eventIdsAtUpdatedAt.every((id) => candidate.eventIdsAtUpdatedAt.includes(id));
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
