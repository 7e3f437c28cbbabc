import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The consumer's port to the raw bucket. A failure must throw: the batch is then redelivered. */
export interface RawStore {
  readonly bucket: string;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The keys under a prefix (a handful: the objects of one partition that start at one offset). */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export class S3RawStore implements RawStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

/** For unit tests: objects in a map; `failPuts` and `failLists` make the next puts or lists throw like S3 returning 503. */
export class InMemoryRawStore implements RawStore {
  readonly objects = new Map<string, { body: Buffer; contentType: string }>();
  failPuts = 0;
  failLists = 0;
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

  async list(prefix: string): Promise<string[]> {
    if (this.failLists > 0) {
      this.failLists -= 1;
      throw Object.assign(new Error('InternalError: We encountered an internal error (injected)'), { $retryable: {} });
    }
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
