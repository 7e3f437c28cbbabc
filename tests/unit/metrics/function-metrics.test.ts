import { consumerMetrics, jobMetrics, type MetricPoint, retryMetrics } from '../../../lib/metrics';
import catalogue from '../../../lib/metrics/metrics.json';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const flat = (points: MetricPoint[]) =>
  points.map((p) => [p.metric.name, p.value, ...p.metric.dimensions.map((d) => p.dimensions[d])]);

describe('the consumer, retry and job launcher metrics', () => {
  it("count the consumer's records, rows, objects and dead letters by reason per entity, and the batch's Kafka lag", () => {
    const points = consumerMetrics({
      stage: 'dev',
      byEntity: {
        customer: {
          records: 10,
          rows: 8,
          objects: 2,
          deadLettered: { UNDECODABLE: 2 },
          newestRecordAt: NOW.getTime() - 4000,
        },
      },
      now: NOW,
    });
    expect(flat(points)).toEqual([
      ['ConsumerRecords', 10, 'dev', 'customer'],
      ['ConsumerRowsWritten', 8, 'dev', 'customer'],
      ['ConsumerObjectsWritten', 2, 'dev', 'customer'],
      ['ConsumerRecordAge', 4, 'dev', 'customer'],
      ['ConsumerDeadLettered', 2, 'dev', 'customer', 'UNDECODABLE'],
    ]);
  });

  it("count the retry function's re-sends, failures, STALE and SUPERSEDED; a sweep adds what it archived and the backlog's age", () => {
    const drain = { published: 5, failed: 1, stillInvalid: 2, stale: 1, superseded: 3 };
    expect(flat(retryMetrics({ stage: 'dev', ...drain, now: NOW }))).toEqual([
      ['RetryResent', 5, 'dev'],
      ['RetryStillFailing', 3, 'dev'],
      ['RetryTurnedStale', 1, 'dev'],
      ['RetryTurnedSuperseded', 3, 'dev'],
    ]);
    const sweep = retryMetrics({
      stage: 'dev',
      ...drain,
      archived: 4,
      oldestDueParkedAt: '2026-11-24T11:50:00.000Z',
      now: NOW,
    });
    expect(flat(sweep).slice(4)).toEqual([
      ['RetryArchived', 4, 'dev'],
      ['RetryOldestDueAge', 600, 'dev'],
    ]);
    // A scheduled sweep's census: a point per entity and status.
    const census = retryMetrics({
      stage: 'dev',
      ...drain,
      archived: 0,
      backlog: { customer: { RETRIABLE: 7, AMBIGUOUS: 2, SUPERSEDED: 0, STALE: 1 } },
      now: NOW,
    });
    expect(flat(census).slice(6)).toEqual([
      ['RetryBacklog', 7, 'dev', 'customer', 'RETRIABLE'],
      ['RetryBacklog', 2, 'dev', 'customer', 'AMBIGUOUS'],
      ['RetryBacklog', 0, 'dev', 'customer', 'SUPERSEDED'],
      ['RetryBacklog', 1, 'dev', 'customer', 'STALE'],
    ]);
    // Nothing due: the backlog has no age.
    expect(flat(retryMetrics({ stage: 'dev', ...drain, archived: 0, now: NOW })).at(-1)).toEqual([
      'RetryOldestDueAge',
      0,
      'dev',
    ]);
  });

  it('count the job runs started, found running, a launch that failed, and Spark runs that failed', () => {
    expect(
      flat(
        jobMetrics('dev', [
          { name: 'cdc-batch-customer', started: true },
          { name: 'cdc-batch-invoice', started: false },
        ]),
      ),
    ).toEqual([
      ['JobRunsStarted', 1, 'dev', 'cdc-batch-customer'],
      ['JobRunsAlreadyRunning', 1, 'dev', 'cdc-batch-invoice'],
    ]);
    expect(flat(jobMetrics('dev', 'failed'))).toEqual([['JobRunsFailedOnStart', 1, 'dev', 'launch']]);
    // The Spark runs that ended FAILED since the launcher's run before.
    expect(flat(jobMetrics('dev', [], [{ name: 'cdc-batch-payment' }]))).toEqual([
      ['JobRunsFailed', 1, 'dev', 'cdc-batch-payment'],
    ]);
  });

  it('have one name each in the catalogue, all in one namespace', () => {
    const names = [catalogue.poller, catalogue.consumer, catalogue.retry, catalogue.jobs].flatMap((group) =>
      Object.values(group).map((m) => m.name),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(catalogue.namespace).toBe('CdcPipeline');
  });
});
