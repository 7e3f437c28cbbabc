/**
 * The events the consumer, fallback and retry benchmarks push through: customer changes made by
 * the simulator's own customer model (so field mix and sizes are the simulator's), one per id,
 * and their Kafka messages exactly as the poller publishes them.
 */
import { type ChangeRecord, toChangeRecord } from '../../lib/change/change-record';
import { changeMessage, type OutgoingMessage } from '../../lib/publish';
import type { GlueAvroSerde } from '../../lib/serde';
import { ENTITY_MODELS } from '../simulator/entities';
import { createRandom } from '../simulator/random';

export const BENCH_ENTITY = 'customer';
const START_MS = Date.parse('2026-11-24T10:00:00.000Z');

export function customerChanges(count: number, seed = 7): ChangeRecord[] {
  const random = createRandom(seed, 'bench');
  return Array.from({ length: count }, (_, n) => {
    const id = `c-${String(n).padStart(7, '0')}`;
    const nowMs = START_MS + n;
    const data = ENTITY_MODELS.customer.create({ id, nowMs, random, parent: null });
    return toChangeRecord(BENCH_ENTITY, { id, op: 'UPSERT', updatedAt: new Date(nowMs).toISOString(), data });
  });
}

/**
 * An outage's backlog: `perKey` changes of each of `keys` customers, key after key in time order
 * (the n-th change of every key one second after its (n-1)-th), each made by the simulator's model.
 */
export function customerChangesOfKeys(keys: number, perKey: number, idPrefix = 'c-', seed = 11): ChangeRecord[] {
  const random = createRandom(seed, 'bench-keys');
  const records: ChangeRecord[] = [];
  for (let n = 0; n < perKey; n += 1) {
    for (let k = 0; k < keys; k += 1) {
      const id = `${idPrefix}${String(k).padStart(7, '0')}`;
      const nowMs = START_MS + n * 1000 + k;
      const data = ENTITY_MODELS.customer.create({ id, nowMs, random, parent: null });
      records.push(toChangeRecord(BENCH_ENTITY, { id, op: 'UPSERT', updatedAt: new Date(nowMs).toISOString(), data }));
    }
  }
  return records;
}

/** Encoded with the latest version of `schemaName`, headers as the poller sets them. */
export async function encodeChanges(
  serde: GlueAvroSerde,
  schemaName: string,
  records: readonly ChangeRecord[],
): Promise<OutgoingMessage[]> {
  const messages: OutgoingMessage[] = [];
  for (const record of records) {
    const encoded = await serde.encode(schemaName, record);
    messages.push(changeMessage(BENCH_ENTITY, record, encoded.schemaVersionId, encoded.bytes));
  }
  return messages;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
