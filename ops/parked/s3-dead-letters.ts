import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readS3Text } from '../stage/s3-text';
import type { DeadLetterListing } from './ports';

/**
 * Where the consumer writes a record it cannot decode: lib/raw/object-key.ts deadLetterKey,
 * `dead-letter/entity=<entity>/<topic>-<partition>-<offset>.json` (a unit test holds the two together).
 */
export const DEAD_LETTER_PREFIX = 'dead-letter/';
export const deadLetterPrefix = (entity?: string): string =>
  entity === undefined ? DEAD_LETTER_PREFIX : `${DEAD_LETTER_PREFIX}entity=${entity}/`;

export class S3DeadLetters implements DeadLetterListing {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {
    this.location = `s3://${bucket}/${DEAD_LETTER_PREFIX}`;
  }

  async *keys(entity: string | undefined, pageSize: number): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: deadLetterPrefix(entity),
          MaxKeys: pageSize,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  read(key: string): Promise<string | undefined> {
    return readS3Text(this.s3, this.bucket, key);
  }
}
