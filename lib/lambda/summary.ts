import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../log';

/**
 * One summary line per invocation (outcome, duration, request id), whatever the handler
 * logs itself. A thin middy adapter: the handler's result is passed through untouched.
 */
export function invocationSummary<TEvent, TResult>(log: Logger): MiddlewareObj<TEvent, TResult, Error, Context> {
  const started = new WeakMap<Context, number>();
  return {
    before: (request) => {
      started.set(request.context, Date.now());
    },
    after: (request) => {
      log.info('invocation finished', { outcome: 'ok', ...timing(request.context, started), result: request.response });
    },
    onError: (request) => {
      log.error('invocation failed', { outcome: 'error', ...timing(request.context, started), error: request.error });
    },
  };
}

function timing(context: Context, started: WeakMap<Context, number>): { requestId: string; durationMs: number } {
  return { requestId: context.awsRequestId, durationMs: Date.now() - (started.get(context) ?? Date.now()) };
}
