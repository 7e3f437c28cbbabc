export {
  CONSUMER_METRICS,
  JOB_METRICS,
  type MetricDefinition,
  type MetricPoint,
  NAMESPACE,
  POLLER_METRICS,
  type PollerOutcome,
  RETRY_METRICS,
} from './catalogue';
export { EmfMetricsSink, type MetricsSink } from './emf-sink';
export { consumerMetrics, jobMetrics, retryMetrics, streamMetrics } from './function-metrics';
export { type PollerRunFacts, pollerMetrics, SourceErrorTally } from './poller-metrics';
