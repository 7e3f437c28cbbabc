import type { TopicMessage } from '../demo/pipeline';

export interface RawCheck {
  /** This run's rows in raw/, and their distinct (partition, offset) and eventIds. */
  readonly rows: number;
  readonly offsets: number;
  readonly eventIds: number;
  /** `partition/offset` held by more than one row. */
  readonly duplicated: readonly string[];
  /** `partition/offset` of a message this run wrote that is neither in raw/ nor dead-lettered. */
  readonly missing: readonly string[];
}

/**
 * raw/ holds each of this run's Kafka messages exactly once: one row per (partition, offset), and
 * nothing missing but the dead letters. `from` is, per partition, the first offset of this run.
 */
export function checkRaw(
  topic: string,
  rows: readonly Record<string, unknown>[],
  messages: readonly TopicMessage[],
  deadLettered: ReadonlySet<string>,
  from: ReadonlyMap<number, number> = new Map(),
): RawCheck {
  const mine = (partition: number, offset: number): boolean => offset >= (from.get(partition) ?? 0);
  const copies = new Map<string, number>();
  const eventIds = new Set<string>();
  let count = 0;
  for (const row of rows) {
    const partition = Number(row._kafka_partition);
    const offset = Number(row._kafka_offset);
    if (row._kafka_topic !== topic || !mine(partition, offset)) continue;
    count += 1;
    const at = `${partition}/${offset}`;
    copies.set(at, (copies.get(at) ?? 0) + 1);
    eventIds.add(String(row._event_id));
  }
  const missing = messages
    .filter((m) => mine(m.partition, m.offset))
    .map((m) => `${m.partition}/${m.offset}`)
    .filter((at) => !copies.has(at) && !deadLettered.has(at));
  return {
    rows: count,
    offsets: copies.size,
    eventIds: eventIds.size,
    duplicated: [...copies].filter(([, n]) => n > 1).map(([at]) => at),
    missing,
  };
}
