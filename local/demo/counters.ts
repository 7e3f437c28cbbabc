/**
 * The demo's live counters, read from what the functions log (one JSON summary line per
 * invocation, as CloudWatch would receive it): the demo never reaches into a handler.
 */
export interface PipelineCounters {
  /** Events the pollers read from the source. */
  polled: number;
  /** Events the pollers published to Kafka. */
  published: number;
  /** Events the pollers parked, by reason. */
  parked: Record<string, number>;
  /** Parked events the retry function later published. */
  retried: number;
  /** Parked events given up (stale) or superseded, archived by the retry function. */
  archived: number;
  /** SNS alerts the retry function sent. */
  alerts: number;
  /** Raw objects and rows the consumer wrote. */
  rawObjects: number;
  rawRows: number;
  deadLettered: number;
  /** Invocations that ended in an error (retried by their trigger), per function. */
  errors: Record<string, number>;
  /** Where Kafka said it wrote each event the retry function re-sent (its "re-sent" lines). */
  resent: ResentEvent[];
}

export interface ResentEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly eventId: string;
  readonly id: string;
}

export function emptyCounters(): PipelineCounters {
  return {
    polled: 0,
    published: 0,
    parked: {},
    retried: 0,
    archived: 0,
    alerts: 0,
    rawObjects: 0,
    rawRows: 0,
    deadLettered: 0,
    errors: {},
    resent: [],
  };
}

type Fields = Record<string, unknown>;

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Folds one runtime log line (`[function] <line>`) into the counters. Only the functions' own
 * summary lines count ("poll finished", "batch written", "sweep finished", "stream batch
 * handled", the retry function's "re-sent") and the runtime's END lines for errors; anything
 * else is ignored.
 */
export function countLogLine(counters: PipelineCounters, line: string): void {
  const match = /^\[(\w+)\] (.*)$/.exec(line);
  if (!match) return;
  const [, fn, rest] = match as unknown as [string, string, string];
  if (rest.startsWith('END RequestId:') && rest.includes(' ERROR ')) {
    counters.errors[fn] = (counters.errors[fn] ?? 0) + 1;
    return;
  }
  if (!rest.startsWith('{')) return;
  let entry: Fields;
  try {
    entry = JSON.parse(rest) as Fields;
  } catch {
    return;
  }
  switch (entry.message) {
    case 'poll finished':
      counters.polled += number(entry.fetched);
      counters.published += number(entry.published);
      for (const [reason, n] of Object.entries((entry.parked ?? {}) as Fields))
        counters.parked[reason] = (counters.parked[reason] ?? 0) + number(n);
      break;
    case 'batch written':
      counters.rawObjects += number(entry.objects);
      counters.rawRows += number(entry.rows);
      counters.deadLettered += number(entry.deadLettered);
      break;
    case 'sweep finished':
      counters.retried += number(entry.published);
      counters.archived += number(entry.archived);
      if (entry.alerted === true) counters.alerts += 1;
      break;
    case 'stream batch handled':
      counters.retried += number(entry.published);
      break;
    case 're-sent':
      counters.resent.push({
        topic: String(entry.topic),
        partition: number(entry.partition),
        offset: Number(entry.offset),
        eventId: String(entry.eventId),
        id: String(entry.id),
      });
      break;
    default:
  }
}

export function totalParked(counters: PipelineCounters): number {
  return Object.values(counters.parked).reduce((a, b) => a + b, 0);
}
