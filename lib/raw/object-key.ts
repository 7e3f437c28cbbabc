/**
 * The raw object of one topic-partition batch (DESIGN.md boundary 5): a function of the records
 * in it, so a re-delivered batch overwrites the same object. The date is the first record's
 * Kafka timestamp (UTC), which a re-delivery does not change.
 */
export function rawObjectKey(
  entity: string,
  topic: string,
  partition: number,
  firstOffset: number,
  lastOffset: number,
  firstTimestampMs: number,
  gzip: boolean,
): string {
  return `${rawObjectPrefix(entity, topic, partition, firstOffset, firstTimestampMs)}${lastOffset}.jsonl${gzip ? '.gz' : ''}`;
}

/**
 * What every raw object of a partition starting at one offset has in common: a batch written
 * again with other boundaries starts at the same record, so its earlier objects are under this.
 */
export function rawObjectPrefix(
  entity: string,
  topic: string,
  partition: number,
  firstOffset: number,
  firstTimestampMs: number,
): string {
  const dt = new Date(firstTimestampMs).toISOString().slice(0, 10);
  return `raw/entity=${entity}/dt=${dt}/${topic}-${partition}-${firstOffset}-`;
}

/** Where a poison record's bytes and reason are kept. */
export function deadLetterKey(entity: string, topic: string, partition: number, offset: number): string {
  return `dead-letter/entity=${entity}/${topic}-${partition}-${offset}.json`;
}
