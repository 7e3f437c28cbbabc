import { checkRaw } from '../../../../local/chaos/raw-check';
import type { TopicMessage } from '../../../../local/demo/pipeline';

const T = 'cdc.customer';
const message = (partition: number, offset: number): TopicMessage => ({
  partition,
  offset,
  key: `k${offset}`,
  headers: {},
  value: { eventId: `e${partition}-${offset}` },
});
const row = (partition: number, offset: number, topic = T) => ({
  _kafka_topic: topic,
  _kafka_partition: partition,
  _kafka_offset: offset,
  _event_id: `e${partition}-${offset}`,
});

describe("the chaos suite's raw check", () => {
  it('passes one row per message of the run, earlier runs and other topics left out', () => {
    const check = checkRaw(
      T,
      [row(0, 1), row(0, 5), row(0, 6), row(1, 0), row(0, 5, 'cdc.invoice')],
      [message(0, 1), message(0, 5), message(0, 6), message(1, 0)],
      new Set(),
      new Map([[0, 5]]),
    );
    expect(check).toEqual({ rows: 3, offsets: 3, eventIds: 3, duplicated: [], missing: [] });
  });

  it('names a record held twice, and one neither in raw/ nor dead-lettered', () => {
    const check = checkRaw(
      T,
      [row(0, 0), row(0, 0), row(0, 2)],
      [message(0, 0), message(0, 1), message(0, 2), message(0, 3)],
      new Set(['0/3']),
    );
    expect(check).toMatchObject({ rows: 3, offsets: 2, duplicated: ['0/0'], missing: ['0/1'] });
  });
});
