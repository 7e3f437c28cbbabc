import { countLogLine, emptyCounters, totalParked } from '../../../../local/demo/counters';

const line = (fn: string, fields: Record<string, unknown>): string =>
  `[${fn}] ${JSON.stringify({ level: 'INFO', ...fields })}`;

describe("the demo counters, read from the functions' summary log lines", () => {
  it('adds up poller, consumer and retry summaries and counts failed invocations per function', () => {
    const c = emptyCounters();
    countLogLine(
      c,
      line('poller', {
        message: 'poll finished',
        fetched: 10,
        published: 7,
        parked: { KAFKA_UNAVAILABLE: 2, SCHEMA_VALIDATION: 1 },
      }),
    );
    countLogLine(
      c,
      line('poller', { message: 'poll finished', fetched: 5, published: 3, parked: { KAFKA_UNAVAILABLE: 2 } }),
    );
    countLogLine(c, line('consumer', { message: 'batch written', objects: 2, rows: 9, deadLettered: 1 }));
    countLogLine(c, line('retry', { message: 'sweep finished', published: 4, archived: 1, alerted: true }));
    countLogLine(c, line('retry', { message: 'sweep finished', published: 0, archived: 0, alerted: false }));
    countLogLine(c, line('retry', { message: 'stream batch handled', published: 2 }));
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
      deadLettered: 1,
      errors: { consumer: 1 },
      resent: [{ topic: 'cdc.customer', partition: 2, offset: 41, eventId: 'e1', id: 'c-1' }],
    });
    expect(totalParked(c)).toBe(5);
  });

  it("ignores other lines: plain text, other messages, broken JSON, the runtime's own lines", () => {
    const c = emptyCounters();
    for (const l of [
      '[poller] START RequestId: x',
      '[poller] {"message":"poll finished", broken',
      line('poller', { message: 'page published', published: 100 }),
      'no prefix {"message":"poll finished","fetched":3}',
      '[runtime] consumer msk stopped',
    ])
      countLogLine(c, l);
    expect(c).toEqual(emptyCounters());
  });
});
