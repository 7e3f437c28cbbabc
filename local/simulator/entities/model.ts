import type { Random } from '../random';
import type { JsonObject, JsonValue, SchemaBreakKind } from '../types';
import type { EntityName } from './index';

export interface CreateContext {
  id: string;
  nowMs: number;
  random: Random;
  /** The current data of the record this one references (absent for a root entity). */
  parent: { id: string; data: JsonObject } | null;
}

export interface UpdateContext {
  nowMs: number;
  random: Random;
}

/** A deliberate way to make one entity's data break its schema. */
export interface SchemaBreak {
  kind: SchemaBreakKind;
  /** Dotted path into `data`; array items by index (`lines.0.quantity`). */
  path: string;
  /** The wrong value to write; absent for MISSING_FIELD. */
  value?: JsonValue;
}

/** How the simulator makes believable data for one entity. */
export interface EntityModel {
  idPrefix: string;
  /** The entity this one references, and which field holds the reference. */
  parent: { entity: EntityName; field: string; prefer?: (parent: JsonObject) => boolean } | null;
  create(context: CreateContext): JsonObject;
  /** Returns a changed copy of `previous` (same id and createdAt). */
  update(previous: JsonObject, context: UpdateContext): JsonObject;
  schemaBreaks: readonly SchemaBreak[];
}
