import type { MSKRecord } from 'aws-lambda';

/** An MSK record with its base64 fields decoded. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | undefined;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export function fromMskRecord(record: MSKRecord): KafkaRecord {
  const headers: Record<string, string> = {};
  for (const header of record.headers ?? []) {
    for (const name of Object.keys(header)) headers[name] = headerText(header[name] as number[]);
  }
  return {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    key:
      record.key === undefined || record.key === null ? undefined : Buffer.from(record.key, 'base64').toString('utf8'),
    value: Buffer.from(record.value ?? '', 'base64'),
    headers,
  };
}

const MAX_SPREAD_BYTES = 4096;

/**
 * MSK gives a header's value as an array of byte numbers. `Buffer.from(array)` on one was 60 % of
 * a batch's decode-only time (issue 15's profile); the pipeline's own headers are short ASCII,
 * whose UTF-8 reading is their char codes. Anything else takes the Buffer path, as before.
 */
function headerText(bytes: readonly number[]): string {
  // A long value would pass too many arguments to fromCharCode.
  if (bytes.length > MAX_SPREAD_BYTES) return Buffer.from(bytes).toString('utf8');
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    if (!(byte >= 0 && byte < 0x80)) return Buffer.from(bytes).toString('utf8');
  }
  return String.fromCharCode.apply(null, bytes as number[]);
}
