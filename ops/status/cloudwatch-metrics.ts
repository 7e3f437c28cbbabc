import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import catalogue from '../../lib/metrics/metrics.json';
import type { MetricRecord } from '../../stage/local-metrics';
import type { MetricHistory } from './health';

/** The series the health reads, per entity: the same metrics and dimensions its alarms watch. */
function seriesOf(stage: string, entity: string): { dims: Record<string, string>; name: string; stat: string }[] {
  const P = catalogue.poller;
  const C = catalogue.consumer;
  return [
    { name: P.runs.name, dims: { stage, entity, outcome: 'failed' }, stat: 'Sum' },
    { name: P.heartbeat.name, dims: { stage, entity }, stat: 'Sum' },
    { name: P.checkpointLag.name, dims: { stage, entity }, stat: 'Maximum' },
    ...['SCHEMA_NOT_FOUND', 'UNDECODABLE'].map((reason) => ({
      name: C.deadLettered.name,
      dims: { stage, entity, reason },
      stat: 'Sum',
    })),
  ];
}

/** A deployed stage's metrics from CloudWatch (GetMetricData, one-minute points). */
export class CloudWatchMetricHistory implements MetricHistory {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly stage: string,
    private readonly entities: readonly string[],
  ) {}

  async records(since: Date): Promise<MetricRecord[]> {
    const series = this.entities.flatMap((entity) => seriesOf(this.stage, entity));
    const queries: MetricDataQuery[] = series.map((s, i) => ({
      Id: `m${i}`,
      MetricStat: {
        Metric: {
          Namespace: catalogue.namespace,
          MetricName: s.name,
          Dimensions: Object.entries(s.dims).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: 60,
        Stat: s.stat,
      },
    }));
    const records: MetricRecord[] = [];
    let token: string | undefined;
    do {
      const page = await this.cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: since,
          EndTime: new Date(),
          NextToken: token,
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const s = series[Number(result.Id?.slice(1))]!;
        (result.Timestamps ?? []).forEach((at, i) =>
          records.push({
            at: at.getTime(),
            namespace: catalogue.namespace,
            dimensions: s.dims,
            values: { [s.name]: result.Values?.[i] ?? 0 },
          }),
        );
      }
      token = page.NextToken;
    } while (token);
    return records.sort((a, b) => a.at - b.at);
  }
}
