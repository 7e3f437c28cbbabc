/** Shapes shared across the simulator: the wire shape of a change and its stored form. */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [field: string]: JsonValue;
}

export type ChangeOp = 'UPSERT' | 'DELETE';

/** One change as served by `GET /cdc` (DESIGN.md, Boundary 1). */
export interface ChangeEvent {
  id: string;
  op: ChangeOp;
  updatedAt: string;
  data: JsonObject | null;
}

export type SchemaBreakKind = 'MISSING_FIELD' | 'WRONG_TYPE' | 'UNKNOWN_ENUM';

/** Where and how a deliberately schema-breaking change departs from its entity's schema. */
export interface SchemaBreakDetail {
  kind: SchemaBreakKind;
  path: string;
}

/** The latest version of one record, as the change store keeps it. */
export interface StoredVersion extends ChangeEvent {
  updatedAtMs: number;
  broken: 'SCHEMA' | null;
  schemaBreak: SchemaBreakDetail | null;
}

/** The position of a record in `(updatedAt, id)` order. */
export interface ChangeKey {
  updatedAtMs: number;
  id: string;
}
