import { Type, types, type Schema } from 'avsc';

/*
 * A frozen copy of the serde's behaviour before its fast paths (December 2026): the ISO logical
 * types as regex + Date.parse / toISOString, and the Glue header from the UUID text. Tests encode
 * with both and require the same bytes, the same decoded values and the same verdicts.
 */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export class ReferenceTimestamp extends types.LogicalType {
  protected override _fromValue(millis: number): string {
    return new Date(millis).toISOString();
  }

  protected override _toValue(value: unknown): number | undefined {
    if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
    if (typeof value !== 'string' || !ISO_TIMESTAMP.test(value)) return undefined;
    const millis = Date.parse(value);
    return Number.isFinite(millis) ? millis : undefined;
  }
}

export class ReferenceDate extends types.LogicalType {
  protected override _fromValue(days: number): string {
    return new Date(days * DAY_MS).toISOString().slice(0, 10);
  }

  protected override _toValue(value: unknown): number | undefined {
    if (typeof value !== 'string') return undefined;
    const match = ISO_DATE.exec(value);
    if (!match) return undefined;
    const millis = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    return new Date(millis).toISOString().startsWith(value) ? millis / DAY_MS : undefined;
  }
}

export function referenceType(definition: string): Type {
  return Type.forSchema(JSON.parse(definition) as Schema, {
    logicalTypes: { 'timestamp-millis': ReferenceTimestamp, date: ReferenceDate },
    wrapUnions: 'auto',
  });
}

/** Header version 3, compression byte, the version UUID's 16 bytes, then the Avro body. */
export function referenceFrame(type: Type, schemaVersionId: string, record: unknown): Buffer {
  const header = Buffer.alloc(18);
  header[0] = 3;
  header[1] = 0;
  header.write(schemaVersionId.replace(/-/g, ''), 2, 16, 'hex');
  return Buffer.concat([header, type.toBuffer(record)]);
}
