import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type MetricPoint, NAMESPACE } from './catalogue';

/** Where a function's data points go. */
export interface MetricsSink {
  emit(points: readonly MetricPoint[]): void;
}

/**
 * CloudWatch Embedded Metric Format through Powertools: one log line per dimension set, which
 * CloudWatch turns into metrics (no API call, nothing to wait for). Only the catalogue's own
 * dimensions: Powertools' default `service` dimension is removed, so the alarms' dimensions are
 * exactly the catalogue's.
 */
export class EmfMetricsSink implements MetricsSink {
  private readonly metrics: Metrics;

  constructor(functionName: string) {
    this.metrics = new Metrics({ namespace: NAMESPACE, serviceName: functionName });
    this.metrics.clearDefaultDimensions();
  }

  emit(points: readonly MetricPoint[]): void {
    const groups = new Map<string, MetricPoint[]>();
    for (const point of points) {
      const key = JSON.stringify(point.metric.dimensions.map((d) => [d, point.dimensions[d]]));
      groups.set(key, [...(groups.get(key) ?? []), point]);
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      for (const name of first.metric.dimensions) this.metrics.addDimension(name, first.dimensions[name] ?? 'none');
      for (const p of group)
        this.metrics.addMetric(
          p.metric.name,
          p.metric.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count,
          p.value,
        );
      this.metrics.publishStoredMetrics();
    }
  }
}
