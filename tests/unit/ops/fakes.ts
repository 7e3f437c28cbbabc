import type { MetricRecord } from '../../../stage/local-metrics';
import type { PollerInvoker } from '../../../ops/replay/poller-invoker';
import { InMemoryCheckpointStore } from '../../../lib/checkpoint';
import { InMemoryFallbackStore, type ParkedEvent } from '../../../lib/fallback';
import { InMemoryStaleArchive } from '../../../ops/archive/in-memory-stale-archive';
import { InMemoryFailedBatches } from '../../../ops/redrive-consumer/failed-batches';
import type { OpsStage } from '../../../ops/stage/ops-stage';
import type { StageAdapters } from '../../../ops/stage/open-stage';
import type { JobRunHistory, JobRunRecord } from '../../../ops/status/ports';
import { customerChange } from '../../helpers/schemas';

export const NOW = new Date('2026-11-24T12:00:00.000Z');

export function jobsOf(runs: JobRunRecord[] | Error): JobRunHistory {
  return {
    runsSince: async (since) => {
      if (runs instanceof Error) throw runs;
      return runs.filter((r) => new Date(r.createdAt) >= since);
    },
  };
}

export const STAGE: OpsStage = {
  stage: 'test',
  local: false,
  region: 'eu-west-1',
  entities: ['customer', 'invoice', 'payment'],
  topicPrefix: 'cdc',
  checkpointStore: { kind: 'dynamodb', table: 'cp' },
  fallbackTable: 'fb',
  rawBucket: 'raw',
  archiveBucket: 'raw',
  emrApplication: 'spark',
  schemaRegistry: 'schemas',
  rawGzip: true,
  pollerFunction: 'cdc-pipeline-test-poller',
  health: {
    missedPeriods: 3,
    checkpointLagSeconds: 3600,
    backlogAgeSeconds: 3600,
    pollPeriodSeconds: { customer: 300, invoice: 300, payment: 300 },
  },
};

/** The poller function as the commands see it: answers given in order, the events it was sent recorded. */
export class ScriptedPoller implements PollerInvoker {
  readonly events: Record<string, unknown>[] = [];
  constructor(readonly answers: unknown[] = []) {}

  async invoke(event: Record<string, unknown>): Promise<unknown> {
    this.events.push(event);
    if (this.answers.length === 0) throw new Error('the scripted poller has no answer left');
    const answer = this.answers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

export interface FakeStage extends StageAdapters {
  readonly checkpoints: InMemoryCheckpointStore;
  readonly store: InMemoryFallbackStore;
  readonly archive: InMemoryStaleArchive;
  readonly failedBatches: InMemoryFailedBatches;
  readonly poller: ScriptedPoller;
  /** What the fake stage's metric history answers. */
  metricRecords: MetricRecord[];
  closed: number;
}

export function fakeStage(runs: JobRunRecord[] = []): FakeStage {
  const store = new InMemoryFallbackStore();
  const stage: FakeStage = {
    stage: STAGE,
    checkpoints: new InMemoryCheckpointStore(),
    store,
    fallback: store,
    restore: store,
    archive: new InMemoryStaleArchive(),
    jobs: jobsOf(runs),
    failedBatches: new InMemoryFailedBatches('raw'),
    poller: new ScriptedPoller(),
    metrics: { records: async () => stage.metricRecords },
    metricRecords: [],
    now: () => NOW,
    closed: 0,
    close: async () => {
      stage.closed += 1;
    },
  };
  return stage;
}

/** A parked customer change `secondsAgo` before NOW, valid under the customer schema unless `data` breaks it. */
export function parkedChange(
  id: string,
  secondsAgo: number,
  overrides: Partial<ParkedEvent> = {},
  data: Record<string, unknown> = {},
): ParkedEvent {
  const updatedAt = new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
  const eventId = `${id}-${secondsAgo}`.padEnd(32, '0');
  return {
    entity: 'customer',
    id,
    updatedAt,
    eventId,
    payload: customerChange({ id, updatedAt, eventId }, { id, ...data }),
    status: 'RETRIABLE',
    reason: 'KAFKA_UNAVAILABLE',
    error: 'broker down',
    attempts: 1,
    firstSeenAt: updatedAt,
    nextAttemptAt: NOW.toISOString(),
    ...overrides,
  };
}

/** A terminal that answers `answer` (or is not a terminal at all). */
export function scriptedIo(answer: string | undefined) {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  return {
    out,
    err,
    asked,
    io: {
      out: (t: string) => void out.push(t),
      err: (t: string) => void err.push(t),
      interactive: answer !== undefined,
      ask: async (q: string) => {
        asked.push(q);
        return answer ?? '';
      },
    },
  };
}
