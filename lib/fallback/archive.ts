/**
 * The stale archive: where the sweeps put STALE and SUPERSEDED items before they leave the
 * table (`stale/dt=<day>/<time>-<owner>.jsonl`, one `ArchivedItem` per line), and how a line is
 * read back (the operator's redrive-stale and redrive-consumer).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ArchivedItem, PARK_REASONS, type ParkedItem } from './parked-item';

export const STALE_ARCHIVE_PREFIX = 'stale/';

export function staleArchiveKey(now: Date, owner: string): string {
  return `${STALE_ARCHIVE_PREFIX}dt=${now.toISOString().slice(0, 10)}/${now.toISOString().replace(/[:.]/g, '-')}-${owner}.jsonl`;
}

/** When an archive object was written, from its key; undefined for a key not in that layout. */
export function staleArchiveTime(key: string): Date | undefined {
  const match = /^stale\/dt=\d{4}-\d{2}-\d{2}\/(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z-/.exec(key);
  if (match === null) return undefined;
  const [, day, h, m, s, ms] = match;
  const time = new Date(`${day}T${h}:${m}:${s}.${ms}Z`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** The item as an archive line keeps it: whole, its payload resolved, its claim dropped. */
export function archivedItemOf(item: ParkedItem, payload: unknown): ArchivedItem {
  const { payload: _text, claimedBy: _c, claimUntil: _u, ...rest } = item;
  return { ...rest, payload };
}

/** The item of one archive line, or why it cannot be read as one. */
export function parseArchivedItem(line: string): ArchivedItem | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (value === null || typeof value !== 'object') return 'not a JSON object';
  const item = value as Record<string, unknown>;
  for (const field of ['entity', 'id', 'updatedAt', 'eventId', 'status', 'firstSeenAt'] as const) {
    if (typeof item[field] !== 'string' || item[field] === '') return `${field} is missing`;
  }
  if (!(PARK_REASONS as readonly unknown[]).includes(item.reason))
    return `reason ${JSON.stringify(item.reason)} is not one of ${PARK_REASONS.join(', ')}`;
  return {
    ...(item as unknown as ArchivedItem),
    error: typeof item.error === 'string' ? item.error : '',
    attempts: typeof item.attempts === 'number' ? item.attempts : 0,
  };
}

/** The retry function's port to the archive: one object per sweep. A failure must throw (nothing is then deleted). */
export interface StaleArchiveWriter {
  readonly bucket: string;
  write(key: string, items: readonly ArchivedItem[]): Promise<void>;
}

/** The archive's bytes: one JSON line per item. */
export const archiveBody = (items: readonly ArchivedItem[]): string =>
  items.map((item) => `${JSON.stringify(item)}\n`).join('');

export class S3StaleArchiveWriter implements StaleArchiveWriter {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async write(key: string, items: readonly ArchivedItem[]): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: Buffer.from(archiveBody(items)),
        ContentType: 'application/x-ndjson',
      }),
    );
  }
}
