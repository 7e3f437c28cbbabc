import { paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { STALE_ARCHIVE_PREFIX, staleArchiveTime } from '../../lib/fallback';
import { readS3Text } from '../stage/s3-text';
import { isArchiveKey, ledgerKey, type RedriveLedger, type StaleArchive } from './stale-archive';

export class S3StaleArchive implements StaleArchive {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async archiveKeys(since?: Date): Promise<string[]> {
    // Keys sort by day (dt=YYYY-MM-DD), so the listing can start at the first day wanted.
    const startAfter =
      since === undefined ? undefined : `${STALE_ARCHIVE_PREFIX}dt=${since.toISOString().slice(0, 10)}`;
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.s3 },
      { Bucket: this.bucket, Prefix: STALE_ARCHIVE_PREFIX, StartAfter: startAfter },
    )) {
      for (const object of page.Contents ?? [])
        if (object.Key !== undefined && isArchiveKey(object.Key)) keys.push(object.Key);
    }
    return keys.filter((key) => since === undefined || (staleArchiveTime(key) ?? since) >= since).sort();
  }

  read(key: string): Promise<string | undefined> {
    return readS3Text(this.s3, this.bucket, key);
  }

  async readLedger(archiveKey: string): Promise<RedriveLedger | undefined> {
    const text = await this.read(ledgerKey(archiveKey));
    return text === undefined ? undefined : (JSON.parse(text) as RedriveLedger);
  }

  async writeLedger(archiveKey: string, ledger: RedriveLedger): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: ledgerKey(archiveKey),
        Body: `${JSON.stringify(ledger, null, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  }
}
