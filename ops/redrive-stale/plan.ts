import { partitionKey, sortKey } from '../../lib/fallback';
import type { StaleArchive } from '../archive/stale-archive';
import { isArchiveKey } from '../archive/stale-archive';
import { ArchiveNotFoundError, UsageError } from '../errors';
import { type ArchivedItem, parseArchivedItem } from '../../lib/fallback';

export type SkipReason =
  | 'superseded'
  | 'not-a-change-record'
  | 'unknown-entity'
  | 'already-redriven'
  | 'duplicate'
  | 'unreadable';

export const SKIP_EXPLANATIONS: Readonly<Record<SkipReason, string>> = {
  superseded: 'a newer change of the key was published instead; sending this one would move the key backwards',
  'not-a-change-record':
    'a malformed source entry or a Kafka record the consumer could not decode: nothing the retry function can send',
  'unknown-entity': 'the entity is no longer configured for this stage',
  'already-redriven': 'already put back from this archive (see its ledger under stale-redriven/)',
  duplicate: 'the same event is in an earlier archive object of this run (archived twice when an alert failed)',
  unreadable: 'the archive line is not a fallback item',
};

export type PlannedEvent =
  | { readonly line: number; readonly action: 'restore'; readonly event: ArchivedItem }
  | {
      readonly line: number;
      readonly action: 'skip';
      readonly why: SkipReason;
      readonly detail: string;
      readonly event?: ArchivedItem;
    };

export interface ArchivePlan {
  readonly key: string;
  readonly location: string;
  readonly events: PlannedEvent[];
}

export interface StaleRedrivePlan {
  readonly bucket: string;
  readonly archives: ArchivePlan[];
  readonly toRestore: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
}

export interface StaleRedriveRequest {
  readonly entities: readonly string[];
  /** Only events of this entity. */
  readonly entity?: string;
  /** Only archives written at or after this time. */
  readonly since?: Date;
  /** Only this archive object (key in the archive bucket, or its s3:// location). */
  readonly archive?: string;
}

/** What a re-drive would do, archive by archive, without changing anything. */
export async function planStaleRedrive(
  archive: Pick<StaleArchive, 'bucket' | 'archiveKeys' | 'read' | 'readLedger'>,
  request: StaleRedriveRequest,
): Promise<StaleRedrivePlan> {
  const keys =
    request.archive === undefined
      ? await archive.archiveKeys(request.since)
      : [archiveKeyOf(request.archive, archive.bucket)];
  const seen = new Map<string, string>();
  const archives: ArchivePlan[] = [];
  for (const key of keys) {
    const text = await archive.read(key);
    if (text === undefined) throw new ArchiveNotFoundError(key, archive.bucket);
    const redriven = (await archive.readLedger(key))?.redriven ?? {};
    const lines = text
      .split('\n')
      .map((line, i) => ({ line: i + 1, text: line }))
      .filter((l) => l.text.trim() !== '');
    const events = lines
      .map(({ line, text: json }) => planEvent(line, parseArchivedItem(json), { request, redriven, seen, key }))
      .filter((e): e is PlannedEvent => e !== undefined);
    archives.push({ key, location: `s3://${archive.bucket}/${key}`, events });
  }
  const all = archives.flatMap((a) => a.events);
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const e of all) if (e.action === 'skip') skipped[e.why] = (skipped[e.why] ?? 0) + 1;
  return { bucket: archive.bucket, archives, toRestore: all.filter((e) => e.action === 'restore').length, skipped };
}

interface PlanContext {
  readonly request: StaleRedriveRequest;
  readonly redriven: Readonly<Record<string, { at: string }>>;
  /** Event keys planned so far in this run → the archive they were planned from. */
  readonly seen: Map<string, string>;
  readonly key: string;
}

function planEvent(line: number, parsed: ArchivedItem | string, context: PlanContext): PlannedEvent | undefined {
  if (typeof parsed === 'string') return { line, action: 'skip', why: 'unreadable', detail: parsed };
  const event = parsed;
  if (context.request.entity !== undefined && event.entity !== context.request.entity) return undefined;
  const skip = (why: SkipReason, detail: string): PlannedEvent => ({ line, action: 'skip', why, detail, event });
  if (!context.request.entities.includes(event.entity)) return skip('unknown-entity', `entity ${event.entity}`);
  if (event.status === 'SUPERSEDED')
    return skip('superseded', `superseded by the change of ${event.supersededBy ?? 'a newer time'}`);
  if (event.status !== 'STALE') return skip('unreadable', `status ${event.status} is not one the archive holds`);
  if (isNotAChangeRecord(event)) return skip('not-a-change-record', event.reason);
  const redriven = context.redriven[event.eventId];
  if (redriven !== undefined) return skip('already-redriven', `put back at ${redriven.at}`);
  const itemKey = `${partitionKey(event.entity, event.id)}\u0000${sortKey(event.updatedAt, event.eventId)}`;
  const earlier = context.seen.get(itemKey);
  if (earlier !== undefined) return skip('duplicate', `also in ${earlier}`);
  context.seen.set(itemKey, context.key);
  return { line, action: 'restore', event };
}

/** The retry function cannot re-send these (lib/redrive/drain-key.ts revalidate): they would only go stale again. */
function isNotAChangeRecord(event: ArchivedItem): boolean {
  return (
    event.reason === 'MALFORMED_EVENT' ||
    event.reason === 'UNDECODABLE' ||
    (event.payload as { source?: unknown } | null)?.source === 'consumer'
  );
}

function archiveKeyOf(value: string, bucket: string): string {
  const location = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (location !== null && location[1] !== bucket)
    throw new UsageError('--archive', `${value} is not in this stage's archive bucket ${bucket}`);
  const key = location === null ? value : location[2]!;
  if (!isArchiveKey(key))
    throw new UsageError('--archive', `"${value}" is not an archive key (stale/dt=<day>/<time>-<owner>.jsonl)`);
  return key;
}
