import { type ArchivedItem, archiveBody, type StaleArchiveWriter, staleArchiveTime } from '../../lib/fallback';
import { isArchiveKey, ledgerKey, type RedriveLedger, type StaleArchive } from './stale-archive';

/** The stale archive in memory, for unit tests; also the retry core's archive port (`write`), so its sweeps can fill it. */
export class InMemoryStaleArchive implements StaleArchive, StaleArchiveWriter {
  readonly bucket = 'in-memory-archive';
  readonly objects = new Map<string, string>();

  async archiveKeys(since?: Date): Promise<string[]> {
    return [...this.objects.keys()]
      .filter(isArchiveKey)
      .filter((key) => since === undefined || (staleArchiveTime(key) ?? since) >= since)
      .sort();
  }

  async write(key: string, items: readonly ArchivedItem[]): Promise<void> {
    this.objects.set(key, archiveBody(items));
  }

  async read(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }

  async readLedger(archiveKey: string): Promise<RedriveLedger | undefined> {
    const text = this.objects.get(ledgerKey(archiveKey));
    return text === undefined ? undefined : (JSON.parse(text) as RedriveLedger);
  }

  async writeLedger(archiveKey: string, ledger: RedriveLedger): Promise<void> {
    this.objects.set(ledgerKey(archiveKey), JSON.stringify(ledger));
  }
}
