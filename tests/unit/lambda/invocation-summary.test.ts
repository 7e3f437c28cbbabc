import type { Context } from 'aws-lambda';
import { invocationFields, invocationSummary, parseInvocationLine } from '../../../lib/lambda/summary';
import { createLogger } from '../../../lib/log';

const context = (awsRequestId: string) => ({ awsRequestId }) as Context;

describe('the invocation line', () => {
  it('names the request on every line of the invocation, says whether it was the cold start (the first in the container), and carries the summary', async () => {
    const lines: string[] = [];
    const log = createLogger({ function: 'poller', stage: 'dev' }, (line) => lines.push(line));
    // The middleware as middy drives it around each invocation.
    const middleware = invocationSummary<unknown, { published: number }>(log);
    type Request = Parameters<NonNullable<typeof middleware.before>>[0];
    const invoke = async (id: string, outcome: { published: number } | Error): Promise<void> => {
      const request = {
        context: context(id),
        event: {},
        response: undefined,
        error: undefined,
        internal: {},
      } as unknown as Request;
      await middleware.before?.(request);
      // The handler's own line, through its child logger.
      log
        .child({ ...invocationFields(request.context), entity: 'customer' })
        .warn('one event parked', { eventId: `e-${id}` });
      if (outcome instanceof Error) await middleware.onError?.({ ...request, error: outcome } as Request);
      else await middleware.after?.({ ...request, response: outcome } as Request);
    };
    await invoke('r-1', { published: 3 });
    await invoke('r-2', { published: 0 });
    await invoke('r-3', new Error('boom'));
    const handlerLines = lines.filter((l) => parseInvocationLine(l) === undefined).map((l) => JSON.parse(l));
    expect(
      handlerLines.map((l) => [l.level, l.requestId, l.runId, l.cold_start, l.entity, l.eventId, l.function]),
    ).toEqual([
      ['WARN', 'r-1', 'r-1', true, 'customer', 'e-r-1', 'poller'],
      ['WARN', 'r-2', 'r-2', false, 'customer', 'e-r-2', 'poller'],
      ['WARN', 'r-3', 'r-3', false, 'customer', 'e-r-3', 'poller'],
    ]);
    const parsed = lines.map((l) => parseInvocationLine(l)).filter((p) => p !== undefined);
    expect(parsed).toHaveLength(3);
    expect(parsed.map((p) => [p.requestId, p.cold_start, p.outcome, p.function, p.stage])).toEqual([
      ['r-1', true, 'ok', 'poller', 'dev'],
      ['r-2', false, 'ok', 'poller', 'dev'],
      ['r-3', false, 'error', 'poller', 'dev'],
    ]);
    expect(parsed[0]!.summary).toEqual({ published: 3 });
    expect(parsed[2]!.error).toMatchObject({ name: 'Error', message: 'boom' });
  });
});
