export { type MetricDefinition, type MetricPoint, NAMESPACE, POLLER_METRICS, type PollerOutcome } from './catalogue';
export { EmfMetricsSink, type MetricsSink } from './emf-sink';
export { type PollerRunFacts, pollerMetrics, SourceErrorTally } from './poller-metrics';
