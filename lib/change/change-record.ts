import { hash } from 'node:crypto';
import { canonicalText } from './canonical-text';

/** One change as the source API reports it (DESIGN.md boundary 1), after mapping. */
export interface SourceChange {
  readonly id: string;
  readonly op: 'UPSERT' | 'DELETE';
  readonly updatedAt: string;
  readonly data: Record<string, unknown> | null;
}

/** The Avro body of a Kafka message: change metadata plus the entity's data. */
export interface ChangeRecord extends SourceChange {
  readonly eventId: string;
}

/**
 * Deterministic: the same change (entity, id, updatedAt, payload) always gets the same id, so
 * a re-polled or re-sent change is recognised as a duplicate. Key order in the payload does
 * not matter.
 */
export function eventIdOf(entity: string, change: SourceChange): string {
  // One-shot hash: the same digest as createHash('sha256').update(text), without a Hash object per event.
  return hash('sha256', canonicalText([entity, change.id, change.updatedAt, change.op, change.data]), 'hex').slice(
    0,
    32,
  );
}

export function toChangeRecord(entity: string, change: SourceChange): ChangeRecord {
  return {
    eventId: eventIdOf(entity, change),
    op: change.op,
    id: change.id,
    updatedAt: change.updatedAt,
    data: change.data,
  };
}
