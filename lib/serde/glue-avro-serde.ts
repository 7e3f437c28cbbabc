import { deflateSync, inflateSync } from 'node:zlib';
import type { Type } from 'avsc';
import { decodeAvro, encodeAvro } from '../avro/ascii-tap';
import type { CompiledVersion, SchemaCache } from '../registry/schema-cache';
import { SchemaValidationError, UndecodableMessageError } from './errors';
import {
  asBuffer,
  type FrameCompression,
  GLUE_HEADER_LENGTH,
  type GlueHeader,
  readGlueHeader,
  writeGlueHeader,
} from './glue-frame';
import { validateRecord } from './validate';

const SLAB_BYTES = 64 * 1024;

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
  // Frames are encoded straight into a shared slab and handed out as views of it (as Node's own
  // Buffer pool does), so the hot path neither allocates per call nor copies the frame again.
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private slabUsed = 0;
  private readonly resolvers = new Map<string, unknown>();

  constructor(private readonly schemas: SchemaCache) {}

  /** Resolves at once when the schema is cached (no await on the hit path); errors reject. */
  encode(schemaName: string, record: unknown, compression: FrameCompression = 'none'): Promise<EncodedRecord> {
    const cached = this.schemas.cachedLatest(schemaName);
    if (cached === undefined)
      return this.schemas
        .latest(schemaName)
        .then((version) => this.encodeWith(version, schemaName, record, compression));
    try {
      return Promise.resolve(this.encodeWith(cached, schemaName, record, compression));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Resolves at once when the writer's (and reader's) version is cached; errors reject. */
  decode(bytes: Uint8Array, readerSchemaName?: string): Promise<DecodedRecord> {
    try {
      const message = asBuffer(bytes);
      const header = readGlueHeader(message);
      const writer = this.schemas.cachedVersion(header.schemaVersionId);
      const reader = readerSchemaName === undefined ? writer : this.schemas.cachedLatest(readerSchemaName);
      if (writer === undefined || reader === undefined) return this.decodeLoading(message, header, readerSchemaName);
      return Promise.resolve(this.decodeWith(message, header, writer, reader));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async decodeLoading(
    message: Buffer,
    header: GlueHeader,
    readerSchemaName: string | undefined,
  ): Promise<DecodedRecord> {
    const writer = await this.schemas.version(header.schemaVersionId);
    const reader = readerSchemaName === undefined ? writer : await this.schemas.latest(readerSchemaName);
    return this.decodeWith(message, header, writer, reader);
  }

  private encodeWith(
    version: CompiledVersion,
    schemaName: string,
    record: unknown,
    compression: FrameCompression,
  ): EncodedRecord {
    const check = validateRecord(version.type, record);
    if (!check.valid) throw new SchemaValidationError(`${schemaName} v${version.versionNumber}`, check.violations);
    return { bytes: this.frame(version, record, compression), schemaVersionId: version.schemaVersionId };
  }

  private decodeWith(
    message: Buffer,
    header: GlueHeader,
    writer: CompiledVersion,
    reader: CompiledVersion,
  ): DecodedRecord {
    // The body is read in place, after the header: a view of it would cost more than the header.
    const zipped = header.compression === 'zlib';
    const body = zipped ? inflate(message.subarray(GLUE_HEADER_LENGTH)) : message;
    try {
      const resolver = reader.schemaVersionId === writer.schemaVersionId ? undefined : this.resolver(reader, writer);
      const value = decodeAvro(reader.type, body, zipped ? 0 : GLUE_HEADER_LENGTH, resolver);
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
    const end = this.encodeFrame(version.type, record);
    const start = this.slabUsed;
    if (compression === 'zlib') {
      // The slab's bytes are scratch here: the next frame may reuse them.
      const deflated = deflateSync(this.slab.subarray(start + GLUE_HEADER_LENGTH, end));
      const out = Buffer.allocUnsafe(GLUE_HEADER_LENGTH + deflated.length);
      writeGlueHeader(out, version.schemaVersionId, 'zlib');
      deflated.copy(out, GLUE_HEADER_LENGTH);
      return out;
    }
    writeGlueHeader(this.slab, version.schemaVersionId, 'none', start);
    // Eight-byte aligned, as Node's pool keeps its slices.
    this.slabUsed = (end + 7) & ~7;
    return this.slab.subarray(start, end);
  }

  /**
   * Encodes the body after the header's room at the slab's free end (slabUsed), and returns where
   * it ends; when avsc reports the room too small (a negative position) it moves to a new slab.
   */
  private encodeFrame(type: Type, record: unknown): number {
    let end = encodeAvro(type, record, this.slab, this.slabUsed + GLUE_HEADER_LENGTH);
    while (end < 0) {
      const needed = this.slab.length - end - this.slabUsed;
      this.slab = Buffer.allocUnsafe(Math.max(SLAB_BYTES, needed * 2));
      this.slabUsed = 0;
      end = encodeAvro(type, record, this.slab, GLUE_HEADER_LENGTH);
    }
    return end;
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
