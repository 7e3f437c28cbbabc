import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The consumer's port to the raw bucket. A failure must throw: the batch is then redelivered. */
export interface RawStore {
  readonly bucket: string;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
}

export class S3RawStore implements RawStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }
}

/** For unit tests: objects in a map; `failPuts` makes the next puts throw like S3 returning 503. */
export class InMemoryRawStore implements RawStore {
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();
  failPuts = 0;
  readonly bucket = 'in-memory-raw';

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    if (this.failPuts > 0) {
      this.failPuts -= 1;
      throw Object.assign(new Error('SlowDown: Please reduce your request rate (injected)'), {
        name: 'SlowDown',
        $retryable: {},
      });
    }
    this.objects.set(key, { body, contentType });
  }
}
