/**
 * The health's CloudWatch adapter (a deployed stage's `status`) against moto's CloudWatch: the
 * series it asks for are the catalogue's names and dimensions, and it reads their points back.
 */
import { randomUUID } from 'node:crypto';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchMetricHistory } from '../../ops/status/cloudwatch-metrics';
import { localClientConfig } from '../helpers/local-stack';

const cloudwatch = new CloudWatchClient(localClientConfig());
afterAll(() => cloudwatch.destroy());

it('reads back the heartbeat, failed runs and checkpoint lag the poller would have written, per entity', async () => {
  const stage = `it${randomUUID().slice(0, 8)}`;
  // A point two minutes old: in a whole minute period, whatever the second the test runs at.
  const now = new Date(Date.now() - 120_000);
  const dims = (entity: string, more: Record<string, string> = {}) =>
    Object.entries({ stage, entity, ...more }).map(([Name, Value]) => ({ Name, Value }));
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'CdcPipeline',
      MetricData: [
        { MetricName: 'PollerHeartbeat', Dimensions: dims('customer'), Value: 1, Unit: 'Count', Timestamp: now },
        { MetricName: 'PollerCheckpointLag', Dimensions: dims('customer'), Value: 42, Unit: 'Seconds', Timestamp: now },
        {
          MetricName: 'PollerRuns',
          Dimensions: dims('invoice', { outcome: 'failed' }),
          Value: 1,
          Unit: 'Count',
          Timestamp: now,
        },
      ],
    }),
  );
  const records = await new CloudWatchMetricHistory(cloudwatch, stage, ['customer', 'invoice']).records(
    new Date(now.getTime() - 600_000),
  );
  const seen = records.map((r) => [r.dimensions.entity, Object.keys(r.values)[0], Object.values(r.values)[0]]);
  expect(seen).toEqual(
    expect.arrayContaining([
      ['customer', 'PollerHeartbeat', 1],
      ['customer', 'PollerCheckpointLag', 42],
      ['invoice', 'PollerRuns', 1],
    ]),
  );
  expect(records.find((r) => r.dimensions.entity === 'invoice')?.dimensions).toEqual({
    stage,
    entity: 'invoice',
    outcome: 'failed',
  });
});
