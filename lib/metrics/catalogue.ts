/**
 * Every metric the functions emit, in one place: `metrics.json`, which the code emits from and
 * `resources/alarms.js` builds the alarms and the dashboard from, so a name or a dimension cannot
 * differ between the two. CloudWatch namespace `CdcPipeline`, Embedded Metric Format.
 */
import catalogue from './metrics.json';

export interface MetricDefinition {
  readonly name: string;
  readonly unit: 'Count' | 'Seconds';
  /** The dimensions each data point carries, in this order. */
  readonly dimensions: readonly string[];
}

type Group<K extends string> = Readonly<Record<K, MetricDefinition>>;

export const NAMESPACE: string = catalogue.namespace;

/** How a poller run ended (the dimension `outcome` of PollerRuns). */
export type PollerOutcome = 'done' | 'out_of_time' | 'lease_held' | 'behind' | 'failed';

export const POLLER_METRICS = catalogue.poller as Group<keyof typeof catalogue.poller>;
export const CONSUMER_METRICS = catalogue.consumer as Group<keyof typeof catalogue.consumer>;
export const RETRY_METRICS = catalogue.retry as Group<keyof typeof catalogue.retry>;
export const JOB_METRICS = catalogue.jobs as Group<keyof typeof catalogue.jobs>;

/** One data point: a definition, its value, and a value for each of its dimensions. */
export interface MetricPoint {
  readonly metric: MetricDefinition;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}
