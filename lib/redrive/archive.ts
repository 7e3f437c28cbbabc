import {
  archivedItemOf,
  type FallbackStatus,
  type ParkedItem,
  type RedriveStore,
  type StaleArchiveWriter,
  staleArchiveKey,
} from '../fallback';
import type { AlertPort } from './alerts';

export interface ArchiveSummary {
  archived: number;
  /** Where this sweep's archive is, if it wrote one. */
  archive?: string;
  alerted: boolean;
}

/**
 * STALE and SUPERSEDED items leave the table only after both of these: the archive object
 * (every item whole, payload resolved, attempt history) is in S3, and one SNS alert
 * summarising them has been published. If the alert fails, nothing is deleted and the next
 * sweep archives and alerts again (so an operator may see an item twice, never zero times).
 */
export async function archiveAndAlert(
  deps: {
    store: RedriveStore;
    archive: StaleArchiveWriter;
    alerts: AlertPort;
    now: () => Date;
    owner: string;
    stage: string;
  },
  limit: number,
): Promise<ArchiveSummary> {
  const items = [
    ...(await deps.store.withStatus('STALE', limit)),
    ...(await deps.store.withStatus('SUPERSEDED', limit)),
  ];
  if (items.length === 0) return { archived: 0, alerted: false };
  const now = deps.now();
  const key = staleArchiveKey(now, deps.owner);
  await deps.archive.write(
    key,
    await Promise.all(items.map(async (item) => archivedItemOf(item, await deps.store.payloadOf(item)))),
  );
  const location = `s3://${deps.archive.bucket}/${key}`;
  await deps.alerts.publish(
    `cdc-pipeline ${deps.stage}: ${items.length} change event(s) archived, not delivered`,
    alertMessage(items, location, key, deps.stage, now),
  );
  let archived = 0;
  for (const item of items) if (await deps.store.drop(item, item.status as FallbackStatus)) archived += 1;
  return { archived, archive: location, alerted: true };
}

function alertMessage(items: ParkedItem[], location: string, key: string, stage: string, now: Date): string {
  const counts: Record<string, Record<string, number>> = {};
  for (const item of items) {
    const byReason = (counts[item.entity] ??= {});
    const label = `${item.status} ${item.reason}`;
    byReason[label] = (byReason[label] ?? 0) + 1;
  }
  return JSON.stringify(
    {
      summary: `${items.length} change event(s) of stage ${stage} could not be delivered and were archived; they are no longer in the fallback table.`,
      at: now.toISOString(),
      archive: location,
      countsByEntity: counts,
      examples: items.slice(0, 5).map((i) => ({
        entity: i.entity,
        id: i.id,
        updatedAt: i.updatedAt,
        eventId: i.eventId,
        status: i.status,
        reason: i.reason,
        error: i.error.slice(0, 300),
        why: i.staleBecause ?? (i.supersededBy ? `superseded by the change of ${i.supersededBy}` : undefined),
      })),
      redrive: `after fixing the cause (e.g. a compatible schema version): npm run redrive-stale -- --stage ${stage} --archive ${key}`,
    },
    null,
    2,
  );
}
