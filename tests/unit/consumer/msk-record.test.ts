import type { MSKRecord } from 'aws-lambda';
import { fromMskRecord } from '../../../lib/consumer';

const record = (headers: Record<string, number[]>[]): MSKRecord =>
  ({
    topic: 'cdc.customer',
    partition: 1,
    offset: 42,
    timestamp: 1_795_000_000_000,
    timestampType: 'CREATE_TIME',
    key: Buffer.from('c-1').toString('base64'),
    value: Buffer.from([3, 0, 1, 2]).toString('base64'),
    headers,
  }) as unknown as MSKRecord;

const bytesOf = (text: string): number[] => [...Buffer.from(text, 'utf8')];

describe('an MSK record, decoded', () => {
  it('reads each header as the UTF-8 text of its bytes, ASCII or not', () => {
    const values = {
      'cdc-event-id': '0123456789abcdef0123456789abcdef',
      'cdc-op': 'UPSERT',
      note: 'ünïcödé · 🚀',
      empty: '',
      long: 'x'.repeat(10_000),
      'long-multibyte': 'é'.repeat(5_000),
    };
    const headers = fromMskRecord(
      record(Object.entries(values).map(([name, text]) => ({ [name]: bytesOf(text) }))),
    ).headers;
    expect(headers).toEqual(values);
  });

  it('reads bytes that are not valid UTF-8 as Buffer#toString does', () => {
    const invalid = [0x61, 0xff, 0xc3, 0x28, 0x80, 0x62];
    expect(fromMskRecord(record([{ odd: invalid }])).headers.odd).toBe(Buffer.from(invalid).toString('utf8'));
  });

  it('keeps the offset, timestamp, key and value', () => {
    const decoded = fromMskRecord(record([]));
    expect(decoded).toMatchObject({ topic: 'cdc.customer', partition: 1, offset: 42, key: 'c-1', headers: {} });
    expect(decoded.value.equals(Buffer.from([3, 0, 1, 2]))).toBe(true);
  });
});
