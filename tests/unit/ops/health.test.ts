import { judgeHealth } from '../../../ops/status/health';
import type { MetricRecord } from '../../../stage/local-metrics';
import { NOW, STAGE } from './fakes';

const at = (secondsAgo: number): number => NOW.getTime() - secondsAgo * 1000;
const record = (
  secondsAgo: number,
  values: Record<string, number>,
  dims: Record<string, string> = {},
  entity = 'customer',
): MetricRecord => ({
  at: at(secondsAgo),
  namespace: 'CdcPipeline',
  dimensions: { stage: 'test', entity, ...dims },
  values,
});
const beat = (secondsAgo: number, lag = 10, entity = 'customer') =>
  record(secondsAgo, { PollerHeartbeat: 1, PollerCheckpointLag: lag, PollerEventsFetched: 0 }, {}, entity);
const judge = (records: MetricRecord[], more: Partial<Parameters<typeof judgeHealth>[0]> = {}) =>
  judgeHealth({
    entities: ['customer'],
    records,
    parked: [],
    jobs: [],
    thresholds: STAGE.health,
    now: NOW,
    ...more,
  })[0]!;

describe('health, as the alarms judge it', () => {
  it('is OK for a quiet source that keeps beating (nothing fetched, checkpoint lag small)', () => {
    expect(judge([beat(900), beat(600), beat(300)])).toMatchObject({
      verdict: 'OK',
      lastHeartbeat: new Date(at(300)).toISOString(),
      findings: [],
    });
  });

  it('is ALARM when a run failed in the last schedule period, and when no run succeeded for missedPeriods periods (none at all counts)', () => {
    const failing = judge([beat(1000), record(100, { PollerRuns: 1 }, { outcome: 'failed' })]);
    expect(failing.verdict).toBe('ALARM');
    expect(failing.findings).toEqual([
      'ALARM: 1 poller run(s) failed in the last 300 s',
      'ALARM: no successful poller run for 1000 s (alarm after 900 s)',
    ]);
    expect(judge([]).findings).toEqual(['ALARM: no successful poller run seen (alarm after 900 s)']);
    expect(judge([beat(700)])).toMatchObject({
      verdict: 'WARN',
      findings: ['WARN: no successful poller run for 700 s'],
    });
  });

  it('judges checkpoint lag and the fallback backlog against their bounds (WARN past half), dead letters and a failed Spark run as ALARM', () => {
    expect(judge([beat(60, 2000)]).findings).toEqual(['WARN: checkpoint lag 2000 s, over half of 3600 s']);
    expect(judge([beat(60, 4000)]).verdict).toBe('ALARM');
    const parked = [
      {
        entity: 'customer',
        id: 'c-1',
        status: 'RETRIABLE' as const,
        reason: 'KAFKA_UNAVAILABLE',
        firstSeenAt: new Date(at(4000)).toISOString(),
        nextAttemptAt: new Date(at(10)).toISOString(),
      },
    ];
    expect(judge([beat(60)], { parked: parked as never }).findings).toEqual([
      'ALARM: fallback backlog age 4000 s, over 3600 s',
    ]);
    expect(judge([beat(60), record(30, { ConsumerDeadLettered: 2 }, { reason: 'UNDECODABLE' })]).findings).toEqual([
      'ALARM: 2 record(s) dead-lettered by the consumer in the last 5 min',
    ]);
    const jobs = [
      {
        name: 'cdc-batch-customer+invoice',
        jobRunId: 'j-1',
        state: 'FAILED' as const,
        createdAt: '2026-11-24T11:00:00Z',
        stateFrom: 'emr-serverless' as const,
      },
    ];
    expect(judge([beat(60)], { jobs }).findings).toEqual([
      'ALARM: the last Spark run cdc-batch-customer+invoice (j-1) FAILED',
    ]);
  });

  it("reads only its own entity's metrics", () => {
    expect(judge([beat(60, 10, 'invoice')]).verdict).toBe('ALARM');
  });
});
