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
    for (const [name, bytes] of Object.entries(header)) headers[name] = Buffer.from(bytes as number[]).toString('utf8');
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
