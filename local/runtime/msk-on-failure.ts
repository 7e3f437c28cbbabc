import { createHash, randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { localClientConfig } from '../../stage/local-aws';
import type { MskTrigger } from './definitions';
import type { MskEvent } from './msk-trigger';

/** Why the mapping gave a batch up, as Lambda names it in the invocation record. */
export type Condition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** Where the trigger writes a batch it gives up on: the S3 on-failure destination. */
export interface FailureDestination {
  put(bucket: string, key: string, body: string): Promise<void>;
}

/** The destination on moto; the client is made on the first write only. */
export function s3FailureDestination(): FailureDestination & { close(): void } {
  let s3: S3Client | undefined;
  return {
    put: async (bucket, key, body) => {
      s3 ??= new S3Client({ ...localClientConfig(), forcePathStyle: true });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    },
    close: () => s3?.destroy(),
  };
}

/** The invocation record Lambda writes to an S3 on-failure destination, under its documented key. */
export function failureObject(
  trigger: MskTrigger,
  event: MskEvent,
  condition: Condition,
  invokeCount: number,
  now: Date,
): { key: string; body: string } {
  const [partition, records] = Object.entries(event.records)[0]!;
  const first = records[0]!;
  const iso = now.toISOString();
  const key = `aws/lambda/${mappingUuid(trigger)}/${partition}/${iso.slice(0, 10).replace(/-/g, '/')}/${iso.slice(0, 19).replace(/:/g, '.')}-${randomUUID()}`;
  const payload = JSON.stringify(event);
  return {
    key,
    body: JSON.stringify({
      requestContext: { requestId: randomUUID(), condition, approximateInvokeCount: invokeCount },
      ...(invokeCount > 0
        ? { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' } }
        : {}),
      version: '1.0',
      timestamp: iso,
      KafkaBatchInfo: {
        batchSize: records.length,
        eventSourceArn: event.eventSourceArn,
        bootstrapServers: event.bootstrapServers,
        payloadSize: Buffer.byteLength(payload),
        recordInfo: { offset: String(first.offset), timestamp: new Date(first.timestamp).toISOString() },
      },
      payload: event,
    }),
  };
}

/** A stable, UUID-shaped id per mapping, standing in for the mapping's UUID in the key. */
function mappingUuid(trigger: MskTrigger): string {
  const hex = createHash('sha256')
    .update(`${trigger.arn}\u0000${trigger.topic}\u0000${trigger.consumerGroupId}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
