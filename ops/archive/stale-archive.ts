import { STALE_ARCHIVE_PREFIX } from '../../lib/fallback';

/** Which events of one archive object were put back into the fallback table, by eventId. */
export interface RedriveLedger {
  readonly archive: string;
  readonly redriven: Readonly<Record<string, { readonly at: string; readonly by: string }>>;
}

/**
 * The retry function's stale archive (`stale/dt=<day>/<time>-<owner>.jsonl`, one item per line)
 * as the operator commands read it, plus the re-drive ledger kept beside it under its own
 * prefix (`stale-redriven/…`), so readers of `stale/` never meet a file that is not an archive.
 */
export interface StaleArchive {
  readonly bucket: string;
  /** Keys of the archive objects written at or after `since` (all when undefined), oldest first. */
  archiveKeys(since?: Date): Promise<string[]>;
  /** The object's JSON lines; undefined when there is no such object. */
  read(key: string): Promise<string | undefined>;
  readLedger(archiveKey: string): Promise<RedriveLedger | undefined>;
  writeLedger(archiveKey: string, ledger: RedriveLedger): Promise<void>;
}

export const REDRIVE_LEDGER_PREFIX = 'stale-redriven/';

export function ledgerKey(archiveKey: string): string {
  return `${REDRIVE_LEDGER_PREFIX}${archiveKey.slice(STALE_ARCHIVE_PREFIX.length)}.json`;
}

export function isArchiveKey(key: string): boolean {
  return key.startsWith(STALE_ARCHIVE_PREFIX) && key.endsWith('.jsonl');
}
