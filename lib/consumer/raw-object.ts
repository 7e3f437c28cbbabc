import type { ParkReason } from '../fallback';
import { columnPlan, ColumnPlanError, type ColumnPlan, flattenChange, JsonLinesWriter } from '../raw';
import { SchemaNotFoundError } from '../registry';
import { type GlueAvroSerde, UndecodableMessageError } from '../serde';
import type { KafkaRecord } from './msk-record';
import type { UnknownVersions } from './unknown-versions';

/** A record that cannot become a row: dead-lettered, never dropped. */
export interface Poison {
  readonly record: KafkaRecord;
  readonly reason: ParkReason;
  readonly error: string;
}

/** One partition's records as the body of its raw object (null when none became a row), and the poison among them. */
export interface RawObjectBody {
  readonly body: Buffer | null;
  readonly rows: number;
  readonly poison: Poison[];
}

/** What decoding needs across the partitions of one batch: the column plan per schema version, and the versions Glue did not know. */
export interface DecodeScope {
  readonly serde: GlueAvroSerde;
  readonly plans: Map<string, ColumnPlan>;
  readonly unknown: UnknownVersions;
}

/**
 * Every record decoded (writer schema by version id), flattened and added as a JSON line in
 * offset order. A transient failure (Glue unreachable with nothing cached) throws.
 */
export async function rawObjectBody(
  records: readonly KafkaRecord[],
  scope: DecodeScope,
  gzip: boolean,
): Promise<RawObjectBody> {
  const poison: Poison[] = [];
  let writer: JsonLinesWriter | undefined;
  let rows = 0;
  try {
    for (const record of records) {
      const decoded = await decode(record, scope);
      if ('reason' in decoded) {
        poison.push(decoded);
        continue;
      }
      const plan = planOf(decoded, scope.plans);
      if ('reason' in plan) {
        poison.push({ record, ...plan });
        continue;
      }
      writer ??= new JsonLinesWriter(gzip);
      await writer.add(flattenChange(decoded.value, decoded.schemaVersionId, record, plan));
      rows += 1;
    }
    return { body: writer === undefined ? null : await writer.finish(), rows, poison };
  } catch (error) {
    writer?.discard();
    throw error;
  }
}

type Decoded = { value: Record<string, unknown>; schemaVersionId: string; definition: string } | Poison;

function planOf(
  decoded: { schemaVersionId: string; definition: string },
  plans: Map<string, ColumnPlan>,
): ColumnPlan | { reason: 'UNDECODABLE'; error: string } {
  let plan = plans.get(decoded.schemaVersionId);
  if (plan !== undefined) return plan;
  try {
    plan = columnPlan(decoded.definition);
  } catch (error) {
    if (!(error instanceof ColumnPlanError)) throw error;
    return {
      reason: 'UNDECODABLE',
      error: `schema version ${decoded.schemaVersionId} cannot be flattened: ${error.message}`,
    };
  }
  plans.set(decoded.schemaVersionId, plan);
  return plan;
}

async function decode(record: KafkaRecord, scope: DecodeScope): Promise<Decoded> {
  const miss = await scope.unknown.missOf(record.value);
  if (miss !== undefined) return { record, reason: 'SCHEMA_NOT_FOUND', error: miss };
  try {
    const decoded = await scope.serde.decode(record.value);
    return { value: decoded.value, schemaVersionId: decoded.schemaVersionId, definition: decoded.definition };
  } catch (error) {
    // Bytes that do not decode never will: poison at once.
    if (error instanceof UndecodableMessageError) return { record, reason: 'UNDECODABLE', error: error.message };
    // An unknown version may be Glue catching up: asked again, once for all records of the version.
    if (error instanceof SchemaNotFoundError) {
      const stillMissing = await scope.unknown.settle(record.value, error, () => versionExists(record, scope.serde));
      if (stillMissing !== undefined) return { record, reason: 'SCHEMA_NOT_FOUND', error: stillMissing };
      return decode(record, scope);
    }
    // Glue unreachable with nothing cached, throttling, …: transient, the batch is redelivered.
    throw error;
  }
}

/** Resolves once the record's writer version is known; a body that then fails to decode still proves the version exists. */
async function versionExists(record: KafkaRecord, serde: GlueAvroSerde): Promise<void> {
  try {
    await serde.decode(record.value);
  } catch (error) {
    if (!(error instanceof UndecodableMessageError)) throw error;
  }
}
