import {
  EmfMetricsSink,
  type MetricPoint,
  POLLER_METRICS,
  pollerMetrics,
  SourceErrorTally,
} from '../../../lib/metrics';
import { SourceError } from '../../../lib/source';

const NOW = new Date('2026-11-24T12:00:00.000Z');

function summary(overrides: Record<string, unknown> = {}) {
  return {
    pages: 3,
    fetched: 40,
    published: 35,
    duplicates: 2,
    lateChanges: 1,
    redelivered: 0,
    parked: { SCHEMA_VALIDATION: 2, KAFKA_UNAVAILABLE: 1 },
    checkpointAfter: { updatedAt: '2026-11-24T11:59:00.000Z' },
    stoppedBecause: 'done' as const,
    ...overrides,
  };
}

const byName = (points: MetricPoint[]) =>
  Object.fromEntries(
    points.map((p) => [
      `${p.metric.name}${p.dimensions.reason ? `/${p.dimensions.reason}` : ''}${p.dimensions.outcome ? `/${p.dimensions.outcome}` : ''}${p.dimensions.kind ? `/${p.dimensions.kind}` : ''}`,
      p.value,
    ]),
  );

describe("the poller's metrics", () => {
  it('count what a run did, per stage and entity: pages, events fetched, published, parked by reason, duplicates and late changes, its outcome, a heartbeat and the checkpoint lag', () => {
    const points = pollerMetrics({ stage: 'dev', entity: 'customer', summary: summary(), sourceErrors: {}, now: NOW });
    expect(byName(points)).toEqual({
      'PollerRuns/done': 1,
      PollerPages: 3,
      PollerEventsFetched: 40,
      PollerEventsPublished: 35,
      PollerDuplicatesDropped: 2,
      PollerLateChanges: 1,
      PollerRedelivered: 0,
      'PollerEventsParked/SCHEMA_VALIDATION': 2,
      'PollerEventsParked/KAFKA_UNAVAILABLE': 1,
      PollerHeartbeat: 1,
      PollerCheckpointLag: 60,
    });
    for (const p of points) expect(Object.keys(p.dimensions)).toEqual(p.metric.dimensions);
    expect(points.every((p) => p.dimensions.stage === 'dev' && p.dimensions.entity === 'customer')).toBe(true);
  });

  it('beat for a quiet source too (nothing fetched), and not for a run that found the entity held or failed; a failed run counts as failed', () => {
    const quiet = pollerMetrics({
      stage: 'dev',
      entity: 'invoice',
      summary: summary({ pages: 1, fetched: 0, published: 0, duplicates: 0, lateChanges: 0, parked: {} }),
      sourceErrors: {},
      now: NOW,
    });
    expect(byName(quiet)).toMatchObject({ PollerHeartbeat: 1, 'PollerRuns/done': 1, PollerEventsFetched: 0 });
    const held = byName(
      pollerMetrics({
        stage: 'dev',
        entity: 'invoice',
        summary: summary({ stoppedBecause: 'another run is polling' }),
        sourceErrors: {},
        now: NOW,
      }),
    );
    expect(held['PollerRuns/lease_held']).toBe(1);
    expect(held.PollerHeartbeat).toBeUndefined();
    const failed = pollerMetrics({ stage: 'dev', entity: 'invoice', sourceErrors: { '4xx': 3 }, now: NOW });
    expect(byName(failed)).toEqual({ 'PollerRuns/failed': 1, 'PollerSourceErrors/4xx': 3 });
  });

  it('keep a bounded backfill out of the live series: its own published and parked counts, no heartbeat, no lag, no outcome', () => {
    const points = pollerMetrics({
      stage: 'dev',
      entity: 'customer',
      summary: summary({ window: { from: 'a', to: 'b' } }),
      sourceErrors: {},
      now: NOW,
    });
    expect(byName(points)).toEqual({ PollerBackfillEventsPublished: 35, PollerBackfillEventsParked: 3 });
  });

  it('tally the source errors of the invocation by kind, and start again after each', () => {
    const tally = new SourceErrorTally();
    tally.note(new SourceError('429', { retriable: true, status: 429 }));
    tally.note(new SourceError('503', { retriable: true, status: 503 }));
    tally.note(new SourceError('504', { retriable: true, status: 504 }));
    tally.note(new SourceError('401', { retriable: false, status: 401 }));
    tally.note(new SourceError('slow', { retriable: true, kind: 'timeout' }));
    tally.note(new SourceError('not json', { retriable: true }));
    expect(tally.take()).toEqual({ '429': 1, '5xx': 2, '4xx': 1, timeout: 1, invalid: 1 });
    expect(tally.take()).toEqual({});
  });
});

describe('the EMF sink', () => {
  it("writes one Embedded Metric Format line per dimension set, in namespace CdcPipeline, with the catalogue's dimensions only", () => {
    const lines: string[] = [];
    // Powertools writes through a Console of its own on stdout.
    const log = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
      return true;
    });
    try {
      new EmfMetricsSink('poller').emit(
        pollerMetrics({ stage: 'dev', entity: 'customer', summary: summary(), sourceErrors: { '5xx': 2 }, now: NOW }),
      );
    } finally {
      log.mockRestore();
    }
    const blobs = lines.map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: {
            CloudWatchMetrics: {
              Namespace: string;
              Dimensions: string[][];
              Metrics: { Name: string; Unit: string }[];
            }[];
          };
        },
    );
    // stage+entity; +reason (two values); +outcome; +kind
    expect(blobs).toHaveLength(5);
    for (const blob of blobs) {
      const [directive] = blob._aws.CloudWatchMetrics;
      expect(directive!.Namespace).toBe('CdcPipeline');
      expect(blob.service).toBeUndefined();
      for (const metric of directive!.Metrics) {
        const definition = Object.values(POLLER_METRICS).find((d) => d.name === metric.Name)!;
        expect(directive!.Dimensions).toEqual([definition.dimensions]);
        expect(metric.Unit).toBe(definition.unit);
      }
    }
    const main = blobs.find((b) => 'PollerEventsPublished' in b)!;
    expect(main).toMatchObject({
      stage: 'dev',
      entity: 'customer',
      PollerEventsPublished: 35,
      PollerCheckpointLag: 60,
    });
    expect(blobs.find((b) => b.kind === '5xx')).toMatchObject({ PollerSourceErrors: 2 });
  });
});
