import type { RetrySummary } from '../../functions/retry/wiring';
import type { ConsumeSummary } from '../../lib/consumer';
import { type InvocationLine, parseInvocationLine } from '../../lib/lambda/summary';
import type { PollSummary } from '../../lib/poller';

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
  /** Records the consumer was sent again and skipped (raw/ already held them). */
  rawRedelivered: number;
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
    rawRedelivered: 0,
    deadLettered: 0,
    errors: {},
    resent: [],
  };
}

type Fields = Record<string, unknown>;

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Folds one runtime log line (`[function] <line>`) into the counters. Only the functions' summary
 * lines count (InvocationLine, whether the invocation succeeded or failed after its summary), the
 * retry function's "re-sent" lines and the runtime's END lines for errors; anything else is ignored.
 */
export function countLogLine(counters: PipelineCounters, line: string): void {
  const match = /^\[(\w+)\] (.*)$/.exec(line);
  if (!match) return;
  const [, fn, rest] = match as unknown as [string, string, string];
  if (rest.startsWith('END RequestId:') && rest.includes(' ERROR ')) {
    counters.errors[fn] = (counters.errors[fn] ?? 0) + 1;
    return;
  }
  const invocation = parseInvocationLine(rest);
  if (invocation !== undefined) {
    countSummary(counters, invocation);
    return;
  }
  const entry = resentLine(rest);
  if (entry !== undefined)
    counters.resent.push({
      topic: String(entry.topic),
      partition: number(entry.partition),
      offset: Number(entry.offset),
      eventId: String(entry.eventId),
      id: String(entry.id),
    });
}

function countSummary(counters: PipelineCounters, invocation: InvocationLine): void {
  if (invocation.summary === undefined) return;
  if (invocation.function === 'poller') {
    const summary = invocation.summary as Partial<PollSummary>;
    counters.polled += number(summary.fetched);
    counters.published += number(summary.published);
    for (const [reason, n] of Object.entries(summary.parked ?? {}))
      counters.parked[reason] = (counters.parked[reason] ?? 0) + number(n);
  } else if (invocation.function === 'consumer') {
    const summary = invocation.summary as Partial<ConsumeSummary>;
    counters.rawObjects += number(summary.objects);
    counters.rawRows += number(summary.rows);
    counters.rawRedelivered += number(summary.redelivered);
    counters.deadLettered += number(summary.deadLettered);
  } else if (invocation.function === 'retry') {
    const summary = invocation.summary as Partial<RetrySummary>;
    counters.retried += number(summary.published);
    if (summary.trigger !== 'sweep') return;
    counters.archived += number(summary.archived);
    if (summary.alerted === true) counters.alerts += 1;
  }
}

function resentLine(text: string): Fields | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(text) as Fields;
    return entry.message === 're-sent' ? entry : undefined;
  } catch {
    return undefined;
  }
}

export function totalParked(counters: PipelineCounters): number {
  return Object.values(counters.parked).reduce((a, b) => a + b, 0);
}
