import type { MSKEvent, MSKRecord } from 'aws-lambda';

/** What the consumer's dead-letter object keeps of a Kafka record (lib/consumer deadLetter). */
interface DeadLetterObject {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly valueBase64: string;
}

/** The dead-lettered record as the MSK record it arrived as, or why the object is not one. */
export function recordOfDeadLetter(text: string): MSKRecord | string {
  let letter: Partial<DeadLetterObject>;
  try {
    letter = JSON.parse(text) as Partial<DeadLetterObject>;
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const { topic, partition, offset, timestamp, key, headers, valueBase64 } = letter;
  if (
    typeof topic !== 'string' ||
    typeof partition !== 'number' ||
    typeof offset !== 'number' ||
    typeof timestamp !== 'number' ||
    typeof valueBase64 !== 'string'
  ) {
    return 'not a consumer dead letter (topic, partition, offset, timestamp, valueBase64)';
  }
  const record = {
    topic,
    partition,
    offset,
    timestamp,
    timestampType: 'CREATE_TIME' as const,
    value: valueBase64,
    headers: Object.entries(headers ?? {}).map(([name, value]) => ({ [name]: [...Buffer.from(value, 'utf8')] })),
  };
  // An MSK record has no key field when the Kafka record had no key.
  return (
    key === null || key === undefined ? record : { ...record, key: Buffer.from(key, 'utf8').toString('base64') }
  ) as MSKRecord;
}

/** One record as the MSK event the consumer takes. */
export function eventOfRecord(record: MSKRecord, eventSourceArn: string): MSKEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn,
    bootstrapServers: '',
    records: { [`${record.topic}-${record.partition}`]: [record] },
  };
}

/**
 * The MSK event inside an object Lambda wrote to the S3 on-failure destination (its `payload`,
 * an object or its JSON text), or why the object holds none.
 */
export function eventOfFailedBatch(text: string): { event: MSKEvent; condition: string } | string {
  let object: { payload?: unknown; requestContext?: { condition?: unknown } };
  try {
    object = JSON.parse(text) as typeof object;
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  let payload = object.payload;
  if (typeof payload === 'string') {
    try {
      payload = JSON.parse(payload);
    } catch {
      return 'its payload is not JSON';
    }
  }
  const event = payload as Partial<MSKEvent> | undefined;
  if (event?.eventSource !== 'aws:kafka' || typeof event.records !== 'object' || event.records === null)
    return 'no MSK event in its payload (eventSource "aws:kafka" with records)';
  return { event: event as MSKEvent, condition: String(object.requestContext?.condition ?? 'unknown') };
}
