import type { ColumnPlan } from './columns';

/** Where a record came from on Kafka: the metadata columns besides the change's own. */
export interface KafkaOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * One decoded change as a flat row: metadata columns prefixed `_`, `id`, then the plan's data
 * columns (null for a DELETE, or where an optional nested record is null). Key order is fixed,
 * so the same record always serialises to the same line.
 */
export function flattenChange(
  change: Record<string, unknown>,
  schemaVersionId: string,
  origin: KafkaOrigin,
  plan: ColumnPlan,
): Record<string, unknown> {
  const row: Record<string, unknown> = {
    _op: change.op,
    _updated_at: change.updatedAt,
    _event_id: change.eventId,
    _schema_version_id: schemaVersionId,
    _kafka_topic: origin.topic,
    _kafka_partition: origin.partition,
    _kafka_offset: origin.offset,
    id: change.id,
  };
  const data = change.op === 'DELETE' ? null : ((change.data as Record<string, unknown> | null | undefined) ?? null);
  for (const column of plan.columns) row[column.name] = data === null ? null : at(data, column.path);
  return row;
}

function at(value: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const name of path) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[name];
  }
  return current === undefined ? null : current;
}
