import { countLogLine, emptyCounters, totalParked } from '../../../../local/demo/counters';

const line = (fn: string, fields: Record<string, unknown>): string =>
  `[${fn}] ${JSON.stringify({ level: 'INFO', ...fields })}`;
/** A function's summary line (InvocationLine), as lib/lambda/summary.ts writes it. */
const finished = (fn: string, summary: Record<string, unknown>, outcome: 'ok' | 'error' = 'ok'): string =>
  line(fn, {
    message: outcome === 'ok' ? 'invocation finished' : 'invocation failed',
    function: fn,
    stage: 'local',
    outcome,
    requestId: 'r',
    durationMs: 1,
    summary,
  });

describe("the demo counters, read from the functions' summary log lines", () => {
  it('adds up poller, consumer and retry summaries and counts failed invocations per function', () => {
    const c = emptyCounters();
    countLogLine(
      c,
      finished('poller', { fetched: 10, published: 7, parked: { KAFKA_UNAVAILABLE: 2, SCHEMA_VALIDATION: 1 } }),
    );
    countLogLine(c, finished('poller', { fetched: 5, published: 3, parked: { KAFKA_UNAVAILABLE: 2 } }));
    countLogLine(c, finished('consumer', { objects: 2, rows: 9, deadLettered: 1, redelivered: 3 }));
    countLogLine(c, finished('retry', { trigger: 'sweep', published: 4, archived: 1, alerted: true }));
    countLogLine(c, finished('retry', { trigger: 'sweep', published: 0, archived: 0, alerted: false }));
    countLogLine(c, finished('retry', { trigger: 'stream', published: 2 }));
    countLogLine(
      c,
      line('retry', {
        message: 're-sent',
        entity: 'customer',
        id: 'c-1',
        eventId: 'e1',
        topic: 'cdc.customer',
        partition: 2,
        offset: '41',
      }),
    );
    countLogLine(c, '[consumer] END RequestId: abc ERROR Kafka went away');
    countLogLine(c, '[consumer] END RequestId: abd');
    expect(c).toEqual({
      polled: 15,
      published: 10,
      parked: { KAFKA_UNAVAILABLE: 4, SCHEMA_VALIDATION: 1 },
      retried: 6,
      archived: 1,
      alerts: 1,
      rawObjects: 2,
      rawRows: 9,
      rawRedelivered: 3,
      deadLettered: 1,
      errors: { consumer: 1 },
      resent: [{ topic: 'cdc.customer', partition: 2, offset: 41, eventId: 'e1', id: 'c-1' }],
    });
    expect(totalParked(c)).toBe(5);
  });

  it('counts what a failed invocation did before it failed (a sweep with a key it could not drain)', () => {
    const c = emptyCounters();
    countLogLine(
      c,
      finished('retry', { trigger: 'sweep', published: 3, archived: 2, alerted: true, keyFailures: 1 }, 'error'),
    );
    countLogLine(
      c,
      line('poller', {
        message: 'invocation failed',
        function: 'poller',
        outcome: 'error',
        requestId: 'r',
        durationMs: 1,
        error: { name: 'SourceError', message: 'answered 401' },
      }),
    );
    expect(c).toEqual({ ...emptyCounters(), retried: 3, archived: 2, alerts: 1 });
  });

  it("ignores other lines: plain text, other messages, broken JSON, the runtime's own lines", () => {
    const c = emptyCounters();
    for (const l of [
      '[poller] START RequestId: x',
      '[poller] {"message":"invocation finished", broken',
      line('poller', { message: 'page published', published: 100 }),
      'no prefix {"message":"invocation finished","function":"poller","outcome":"ok","summary":{"fetched":3}}',
      '[runtime] consumer msk stopped',
    ])
      countLogLine(c, l);
    expect(c).toEqual(emptyCounters());
  });
});
