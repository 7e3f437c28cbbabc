import { recordOfDeadLetter } from '../redrive-consumer/saved-records';
import type { DeadLetterListing } from './ports';
import { pageSizeFor } from './statuses';

/** One dead-letter object: where its record came from and why the consumer set it aside, never its bytes. */
export type DeadLetterRow =
  | {
      readonly key: string;
      readonly entity: string;
      readonly readable: true;
      readonly topic: string;
      readonly partition: number;
      readonly offset: number;
      /** The Kafka record's key (the entity's id), or null when it had none. */
      readonly recordKey: string | null;
      readonly reason: string;
      readonly error: string;
      readonly deadLetteredAt: string;
      readonly valueBytes: number;
    }
  | { readonly key: string; readonly entity: string; readonly readable: false; readonly why: string };

export interface DeadLetterListingResult {
  readonly location: string;
  readonly entity?: string;
  readonly limit: number;
  readonly rows: readonly DeadLetterRow[];
  readonly more: boolean;
}

/** How many objects are read at once. */
const READ_CONCURRENCY = 8;

/** At most `limit` objects, in key order, listing one more to know whether more exist. */
export async function listDeadLetters(
  letters: DeadLetterListing,
  entity: string | undefined,
  limit: number,
): Promise<DeadLetterListingResult> {
  const keys: string[] = [];
  let more = false;
  for await (const key of letters.keys(entity, pageSizeFor(limit))) {
    if (keys.length === limit) {
      more = true;
      break;
    }
    keys.push(key);
  }
  const rows: DeadLetterRow[] = new Array(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const i = next++;
      rows[i] = deadLetterRow(keys[i]!, await letters.read(keys[i]!));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, worker));
  return { location: letters.location, ...(entity === undefined ? {} : { entity }), limit, rows, more };
}

/** The object read by the redrive's own reader (the record), plus the consumer's note of why. */
export function deadLetterRow(key: string, text: string | undefined): DeadLetterRow {
  const entity = /^dead-letter\/entity=([^/]+)\//.exec(key)?.[1] ?? '?';
  if (text === undefined) return { key, entity, readable: false, why: 'the object is gone' };
  const record = recordOfDeadLetter(text);
  if (typeof record === 'string') return { key, entity, readable: false, why: record };
  // recordOfDeadLetter has proved the text is a JSON object; what it does not keep is read here.
  const note = JSON.parse(text) as { reason?: unknown; error?: unknown; deadLetteredAt?: unknown };
  return {
    key,
    entity,
    readable: true,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    recordKey: record.key === undefined ? null : Buffer.from(record.key, 'base64').toString('utf8'),
    reason: typeof note.reason === 'string' ? note.reason : 'unknown',
    error: typeof note.error === 'string' ? note.error : '',
    deadLetteredAt: typeof note.deadLetteredAt === 'string' ? note.deadLetteredAt : '',
    valueBytes: Buffer.from(record.value, 'base64').length,
  };
}
