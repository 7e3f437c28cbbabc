import { deflateSync, inflateSync } from 'node:zlib';
import type { Type } from 'avsc';
import type { CompiledVersion, SchemaCache } from '../registry/schema-cache';
import { SchemaValidationError, UndecodableMessageError } from './errors';
import { type FrameCompression, GLUE_HEADER_LENGTH, readGlueFrame, writeGlueHeader } from './glue-frame';
import { validateRecord } from './validate';

export interface EncodedRecord {
  readonly bytes: Buffer;
  readonly schemaVersionId: string;
}

export interface DecodedRecord {
  readonly value: Record<string, unknown>;
  readonly schemaVersionId: string;
  readonly schemaName: string;
  /** The writer's schema definition (e.g. to derive columns from it). */
  readonly definition: string;
}

/**
 * Avro records in the Glue Schema Registry wire format. Encoding validates against the
 * schema's latest version and names every failing field; decoding reads with the writer's
 * version and, when asked, resolves it to a reader schema (schema evolution both ways).
 */
export class GlueAvroSerde {
  // avsc's toBuffer allocates per call; encoding into one growing scratch buffer does not.
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private readonly resolvers = new Map<string, unknown>();

  constructor(private readonly schemas: SchemaCache) {}

  async encode(schemaName: string, record: unknown, compression: FrameCompression = 'none'): Promise<EncodedRecord> {
    const version = await this.schemas.latest(schemaName);
    const check = validateRecord(version.type, record);
    if (!check.valid) throw new SchemaValidationError(`${schemaName} v${version.versionNumber}`, check.violations);
    return { bytes: this.frame(version, record, compression), schemaVersionId: version.schemaVersionId };
  }

  async decode(bytes: Uint8Array, readerSchemaName?: string): Promise<DecodedRecord> {
    const frame = readGlueFrame(bytes);
    const writer = await this.schemas.version(frame.schemaVersionId);
    const reader = readerSchemaName === undefined ? writer : await this.schemas.latest(readerSchemaName);
    const body = frame.compression === 'zlib' ? inflate(frame.body) : frame.body;
    try {
      const value =
        reader.schemaVersionId === writer.schemaVersionId
          ? reader.type.fromBuffer(body)
          : reader.type.fromBuffer(body, this.resolver(reader, writer) as never);
      return {
        value: value as Record<string, unknown>,
        schemaVersionId: writer.schemaVersionId,
        schemaName: writer.schemaName,
        definition: writer.definition,
      };
    } catch (error) {
      throw new UndecodableMessageError(
        `Avro body of schema version ${writer.schemaVersionId} (${writer.schemaName} v${writer.versionNumber}) does not decode: ${(error as Error).message}`,
        error,
      );
    }
  }

  private frame(version: CompiledVersion, record: unknown, compression: FrameCompression): Buffer {
    const length = this.encodeBody(version.type, record);
    const body = this.scratch.subarray(GLUE_HEADER_LENGTH, GLUE_HEADER_LENGTH + length);
    if (compression === 'zlib') {
      const deflated = deflateSync(body);
      const out = Buffer.allocUnsafe(GLUE_HEADER_LENGTH + deflated.length);
      writeGlueHeader(out, version.schemaVersionId, 'zlib');
      deflated.copy(out, GLUE_HEADER_LENGTH);
      return out;
    }
    writeGlueHeader(this.scratch, version.schemaVersionId, 'none');
    return Buffer.from(this.scratch.subarray(0, GLUE_HEADER_LENGTH + length));
  }

  /** Encodes after the header's room; grows the scratch buffer when avsc reports it too small (a negative position). */
  private encodeBody(type: Type, record: unknown): number {
    let end = type.encode(record, this.scratch, GLUE_HEADER_LENGTH);
    while (end < 0) {
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
      end = type.encode(record, this.scratch, GLUE_HEADER_LENGTH);
    }
    return end - GLUE_HEADER_LENGTH;
  }

  private resolver(reader: CompiledVersion, writer: CompiledVersion): unknown {
    const key = `${writer.schemaVersionId}>${reader.schemaVersionId}`;
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      try {
        resolver = reader.type.createResolver(writer.type);
      } catch (error) {
        throw new UndecodableMessageError(
          `${writer.schemaName} v${writer.versionNumber} cannot be read as v${reader.versionNumber}: ${(error as Error).message}`,
          error,
        );
      }
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}

function inflate(body: Buffer): Buffer {
  try {
    return inflateSync(body);
  } catch (error) {
    throw new UndecodableMessageError(
      `zlib-compressed Glue message does not inflate: ${(error as Error).message}`,
      error,
    );
  }
}
