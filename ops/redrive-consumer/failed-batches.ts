import { DeleteObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { readS3Text } from '../stage/s3-text';

/** Where Lambda writes an S3 on-failure destination's objects: aws/lambda/<mapping uuid>/<partition>/YYYY/MM/DD/<time>-<uuid>. */
export const FAILED_BATCH_PREFIX = 'aws/lambda/';

/**
 * The batches the consumer's MSK mappings gave up on (retries or record age exhausted), each
 * an object holding the whole invocation, in the raw bucket (resources/entities.js).
 */
export interface FailedBatches {
  readonly bucket: string;
  /** s3://<bucket>/aws/lambda/ */
  readonly location: string;
  /** Every object's key, in key order. */
  keys(): Promise<string[]>;
  read(key: string): Promise<string | undefined>;
  remove(key: string): Promise<void>;
}

export class S3FailedBatches implements FailedBatches {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {
    this.location = `s3://${bucket}/${FAILED_BATCH_PREFIX}`;
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.s3 },
      { Bucket: this.bucket, Prefix: FAILED_BATCH_PREFIX },
    )) {
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    }
    return keys.sort();
  }

  read(key: string): Promise<string | undefined> {
    return readS3Text(this.s3, this.bucket, key);
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/** For unit tests: the objects in a map. */
export class InMemoryFailedBatches implements FailedBatches {
  readonly objects = new Map<string, string>();
  readonly location: string;

  constructor(readonly bucket = 'raw') {
    this.location = `s3://${bucket}/${FAILED_BATCH_PREFIX}`;
  }

  async keys(): Promise<string[]> {
    return [...this.objects.keys()].sort();
  }

  async read(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }

  async remove(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
