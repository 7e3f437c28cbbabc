import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../log';

/**
 * The one summary line each invocation logs, as CloudWatch (and the local runtime) receives it.
 * `summary` is what the invocation did in its function's own terms (the poller's PollSummary,
 * the consumer's ConsumeSummary, the retry function's RetrySummary, the job launcher's result);
 * a failed invocation carries the summary too when it got that far.
 */
export interface InvocationLine<TSummary extends object = Record<string, unknown>> {
  readonly level: 'INFO' | 'ERROR';
  readonly time: string;
  readonly message: typeof FINISHED | typeof FAILED;
  /** The logger's own fields: which function, on which stage. */
  readonly function: string;
  readonly stage: string;
  readonly outcome: 'ok' | 'error';
  readonly requestId: string;
  /** The container's first invocation (its init ran just before: the cold start). */
  readonly cold_start: boolean;
  readonly durationMs: number;
  readonly summary?: TSummary;
  readonly error?: {
    readonly name: string;
    readonly message: string;
    readonly reason?: string;
    readonly retriable?: boolean;
  };
}

const FINISHED = 'invocation finished';
const FAILED = 'invocation failed';

/** The invocation line in one log line (JSON), or undefined for any other line. */
export function parseInvocationLine<TSummary extends object = Record<string, unknown>>(
  line: string,
): InvocationLine<TSummary> | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (entry === null || typeof entry !== 'object') return undefined;
  const { message, function: fn, outcome } = entry as Record<string, unknown>;
  if (
    (message !== FINISHED && message !== FAILED) ||
    typeof fn !== 'string' ||
    (outcome !== 'ok' && outcome !== 'error')
  )
    return undefined;
  return entry as InvocationLine<TSummary>;
}

const recorded = new WeakMap<Context, object>();
/** Whether an invocation is its container's first, as the summary middleware saw it before the handler ran. */
const coldOf = new WeakMap<Context, boolean>();

/** The fields every line of one invocation carries: its request id (also its runId, e.g. of the leases it takes) and cold_start. */
export type InvocationFields = {
  readonly requestId: string;
  readonly runId: string;
  readonly cold_start: boolean;
};

/** For the handler's child logger (`log.child(invocationFields(context))`), so each of its lines names the invocation. */
export function invocationFields(context: Context): InvocationFields {
  return { requestId: context.awsRequestId, runId: context.awsRequestId, cold_start: coldOf.get(context) ?? false };
}

/**
 * For a handler whose response is not its summary (the retry function answers the stream with
 * its failed records): what the invocation's line reports. Recorded before a handler throws, the
 * summary is on the failure line too.
 */
export function recordSummary(context: Context, summary: object): void {
  recorded.set(context, summary);
}

/**
 * One summary line per invocation (outcome, duration, request id, what it did). A thin middy
 * adapter: the handler's result is passed through untouched and, unless the handler recorded
 * another summary, is the summary.
 */
export function invocationSummary<TEvent, TResult>(log: Logger): MiddlewareObj<TEvent, TResult, Error, Context> {
  const started = new WeakMap<Context, number>();
  let cold = true;
  const fieldsOf = (
    context: Context,
  ): { requestId: string; cold_start: boolean; durationMs: number; summary?: object } => {
    const summary = recorded.get(context);
    recorded.delete(context);
    const timing = {
      requestId: context.awsRequestId,
      cold_start: coldOf.get(context) ?? false,
      durationMs: Date.now() - (started.get(context) ?? Date.now()),
    };
    return summary === undefined ? timing : { ...timing, summary };
  };
  return {
    before: (request) => {
      started.set(request.context, Date.now());
      recorded.delete(request.context);
      coldOf.set(request.context, cold);
      cold = false;
    },
    after: (request) => {
      const fields = fieldsOf(request.context);
      log.info(FINISHED, { outcome: 'ok', ...fields, summary: fields.summary ?? request.response });
    },
    onError: (request) => {
      log.error(FAILED, { outcome: 'error', ...fieldsOf(request.context), error: request.error });
    },
  };
}
