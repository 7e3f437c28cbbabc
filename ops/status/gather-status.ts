import type { CheckpointStore } from '../../lib/checkpoint';
import { FALLBACK_STATUSES, type FallbackCensus, type FallbackStatus, type ParkedItemHeader } from '../../lib/fallback';
import type { StaleArchive } from '../archive/stale-archive';
import type { FailedBatches } from '../redrive-consumer/failed-batches';
import type {
  ArchivedSummary,
  CheckpointStoreSummary,
  ConsumerFailureSummary,
  EntityStatus,
  FallbackCount,
  FallbackSummary,
  ParkedSample,
  PipelineStatus,
} from './pipeline-status';
import { type HealthThresholds, healthWindowSeconds, judgeHealth, type MetricHistory } from './health';
import type { JobRunHistory, JobRunRecord } from './ports';

export interface StatusSources {
  readonly checkpoints: Pick<CheckpointStore, 'load' | 'leaseOf'>;
  readonly fallback: FallbackCensus;
  readonly archive: Pick<StaleArchive, 'bucket' | 'archiveKeys' | 'read'>;
  readonly jobs: JobRunHistory;
  readonly failedBatches: Pick<FailedBatches, 'bucket' | 'location' | 'keys'>;
  readonly metrics: MetricHistory;
  readonly now: () => Date;
}

export interface StatusRequest {
  readonly stage: string;
  readonly checkpointStore: CheckpointStoreSummary;
  readonly entities: readonly string[];
  /** How far back archives and job runs are read (default 7 days). */
  readonly historyDays?: number;
  /** The alarms' thresholds the health is judged by. */
  readonly thresholds: HealthThresholds;
}

const DAY_MS = 86_400_000;

/**
 * The stage's state from its own stores. Checkpoints and the fallback table are the status
 * itself, so their errors fail it; the archive and the job runs are reported as problems
 * instead, so the status still prints when, say, the EMR application is not deployed.
 */
export async function gatherStatus(sources: StatusSources, request: StatusRequest): Promise<PipelineStatus> {
  const now = sources.now();
  const since = new Date(now.getTime() - (request.historyDays ?? 7) * DAY_MS);
  const problems: string[] = [];
  const items = await parkedItems(sources.fallback);
  const fallback = summariseFallback(items, now);
  const entities = await Promise.all(
    request.entities.map((entity) => entityStatus(entity, sources.checkpoints, items, now)),
  );
  const archived = await orProblem(
    problems,
    'stale archive',
    () => summariseArchive(sources.archive, since),
    emptyArchive(sources.archive.bucket, since),
  );
  const runs = await orProblem(problems, 'job runs', () => sources.jobs.runsSince(since), []);
  const failures = sources.failedBatches;
  const consumerFailures = await orProblem(
    problems,
    'consumer on-failure destination',
    () => summariseFailedBatches(failures),
    { destination: failures.location, batches: 0, latest: null },
  );
  const window = new Date(now.getTime() - healthWindowSeconds(request.thresholds) * 1000);
  const records = await orProblem(problems, 'metrics', () => sources.metrics.records(window), []);
  const health = judgeHealth({
    entities: request.entities,
    records,
    parked: items,
    jobs: runs,
    thresholds: request.thresholds,
    now,
  });
  return {
    stage: request.stage,
    checkpointStore: request.checkpointStore,
    health,
    at: now.toISOString(),
    entities,
    fallback,
    stale: { inTable: { STALE: fallback.byStatus.STALE, SUPERSEDED: fallback.byStatus.SUPERSEDED }, archived },
    jobs: latestRunPerName(runs),
    consumerFailures,
    problems,
  };
}

async function parkedItems(census: FallbackCensus): Promise<ParkedItemHeader[]> {
  const items: ParkedItemHeader[] = [];
  for (const status of FALLBACK_STATUSES) for await (const item of census.itemsWithStatus(status)) items.push(item);
  return items;
}

async function entityStatus(
  entity: string,
  checkpoints: StatusSources['checkpoints'],
  items: readonly ParkedItemHeader[],
  now: Date,
): Promise<EntityStatus> {
  const stored = await checkpoints.load(entity);
  const lease = await checkpoints.leaseOf(entity);
  const own = items.filter((i) => i.entity === entity);
  return {
    entity,
    checkpoint:
      stored === undefined
        ? null
        : {
            updatedAt: stored.position.updatedAt,
            eventIdsAtUpdatedAt: stored.position.eventIdsAtUpdatedAt.length,
            version: stored.version,
            savedAt: stored.savedAt ?? null,
            savedBy: stored.savedBy ?? null,
          },
    lagSeconds: stored === undefined ? null : secondsBetween(stored.position.updatedAt, now),
    polling: lease === undefined || lease.until < now.toISOString() ? null : { runId: lease.owner, until: lease.until },
    parked: own.length,
    parkedByStatus: countByStatus(own),
  };
}

export function summariseFallback(items: readonly ParkedItemHeader[], now: Date): FallbackSummary {
  const counts = new Map<string, FallbackCount>();
  for (const item of items) {
    const key = `${item.entity}\u0000${item.status}\u0000${item.reason}`;
    const seen = counts.get(key);
    counts.set(key, { entity: item.entity, status: item.status, reason: item.reason, count: (seen?.count ?? 0) + 1 });
  }
  const waiting = items.filter((i) => i.status === 'RETRIABLE' || i.status === 'AMBIGUOUS');
  return {
    total: items.length,
    byStatus: countByStatus(items),
    due: waiting.filter((i) => i.nextAttemptAt <= now.toISOString()).length,
    counts: [...counts.values()].sort(
      (a, b) =>
        a.entity.localeCompare(b.entity) ||
        FALLBACK_STATUSES.indexOf(a.status) - FALLBACK_STATUSES.indexOf(b.status) ||
        a.reason.localeCompare(b.reason),
    ),
    oldest: oldestParked(items, now),
  };
}

function oldestParked(items: readonly ParkedItemHeader[], now: Date): ParkedSample | null {
  const oldest = items.reduce<ParkedItemHeader | undefined>(
    (found, item) => (found === undefined || item.firstSeenAt < found.firstSeenAt ? item : found),
    undefined,
  );
  if (oldest === undefined) return null;
  return {
    entity: oldest.entity,
    id: oldest.id,
    status: oldest.status,
    reason: oldest.reason,
    parkedAt: oldest.firstSeenAt,
    ageSeconds: secondsBetween(oldest.firstSeenAt, now),
  };
}

function countByStatus(items: readonly ParkedItemHeader[]): Record<FallbackStatus, number> {
  const counts: Record<FallbackStatus, number> = { RETRIABLE: 0, AMBIGUOUS: 0, SUPERSEDED: 0, STALE: 0 };
  for (const item of items) counts[item.status] += 1;
  return counts;
}

async function summariseArchive(archive: StatusSources['archive'], since: Date): Promise<ArchivedSummary> {
  const keys = await archive.archiveKeys(since);
  const byStatus: Record<string, number> = {};
  let events = 0;
  for (const key of keys) {
    const lines = ((await archive.read(key)) ?? '').split('\n').filter((line) => line.trim() !== '');
    events += lines.length;
    for (const line of lines) {
      const status = archivedStatus(line);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
  }
  const latest = keys.at(-1);
  return {
    bucket: archive.bucket,
    since: since.toISOString(),
    objects: keys.length,
    events,
    byStatus,
    latest: latest === undefined ? null : `s3://${archive.bucket}/${latest}`,
  };
}

async function summariseFailedBatches(failures: StatusSources['failedBatches']): Promise<ConsumerFailureSummary> {
  const keys = await failures.keys();
  const latest = [...keys].sort((a, b) => writeTimeOf(a).localeCompare(writeTimeOf(b))).at(-1);
  return {
    destination: failures.location,
    batches: keys.length,
    latest: latest === undefined ? null : `s3://${failures.bucket}/${latest}`,
  };
}

/** The object name starts with the time Lambda wrote it (YYYY-MM-DDTHH.MM.SS-<uuid>). */
function writeTimeOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

function archivedStatus(line: string): string {
  try {
    return String((JSON.parse(line) as { status?: unknown }).status ?? 'unknown');
  } catch {
    return 'unreadable';
  }
}

function emptyArchive(bucket: string, since: Date): ArchivedSummary {
  return { bucket, since: since.toISOString(), objects: 0, events: 0, byStatus: {}, latest: null };
}

function latestRunPerName(runs: readonly JobRunRecord[]): JobRunRecord[] {
  const latest = new Map<string, JobRunRecord>();
  for (const run of runs) {
    const seen = latest.get(run.name);
    if (seen === undefined || run.createdAt > seen.createdAt) latest.set(run.name, run);
  }
  return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function orProblem<T>(problems: string[], part: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    problems.push(`${part}: ${error instanceof Error ? error.message : String(error)}`);
    return fallback;
  }
}

function secondsBetween(iso: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
}
