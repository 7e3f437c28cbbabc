/**
 * Every metric the functions emit, in one place: the code emits from these definitions, and the
 * alarms and dashboard are to be built from them too, so a name or a dimension cannot differ
 * between the two. CloudWatch namespace `CdcPipeline`, Embedded Metric Format.
 */
export const NAMESPACE = 'CdcPipeline';

export interface MetricDefinition {
  readonly name: string;
  readonly unit: 'Count' | 'Seconds';
  /** The dimensions each data point carries, in this order. */
  readonly dimensions: readonly string[];
}

const ENTITY = ['stage', 'entity'] as const;

/** How a poller run ended (the dimension `outcome` of PollerRuns). */
export type PollerOutcome = 'done' | 'out_of_time' | 'lease_held' | 'behind' | 'failed';

export const POLLER_METRICS = {
  fetched: { name: 'PollerEventsFetched', unit: 'Count', dimensions: ENTITY },
  published: { name: 'PollerEventsPublished', unit: 'Count', dimensions: ENTITY },
  parked: { name: 'PollerEventsParked', unit: 'Count', dimensions: [...ENTITY, 'reason'] },
  pages: { name: 'PollerPages', unit: 'Count', dimensions: ENTITY },
  duplicates: { name: 'PollerDuplicatesDropped', unit: 'Count', dimensions: ENTITY },
  lateChanges: { name: 'PollerLateChanges', unit: 'Count', dimensions: ENTITY },
  redelivered: { name: 'PollerRedelivered', unit: 'Count', dimensions: ENTITY },
  sourceErrors: { name: 'PollerSourceErrors', unit: 'Count', dimensions: [...ENTITY, 'kind'] },
  runs: { name: 'PollerRuns', unit: 'Count', dimensions: [...ENTITY, 'outcome'] },
  /** Now minus the checkpoint's source time, after a run that read the source. */
  checkpointLag: { name: 'PollerCheckpointLag', unit: 'Seconds', dimensions: ENTITY },
  /** 1 per run that read the source to its end or its time budget, even when nothing changed. */
  heartbeat: { name: 'PollerHeartbeat', unit: 'Count', dimensions: ENTITY },
  /** A bounded backfill's hand-offs: apart from the live series, which they would blur. */
  backfillPublished: { name: 'PollerBackfillEventsPublished', unit: 'Count', dimensions: ENTITY },
  backfillParked: { name: 'PollerBackfillEventsParked', unit: 'Count', dimensions: ENTITY },
} as const satisfies Record<string, MetricDefinition>;

/** One data point: a definition, its value, and a value for each of its dimensions. */
export interface MetricPoint {
  readonly metric: MetricDefinition;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}
