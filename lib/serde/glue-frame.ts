import { UndecodableMessageError } from './errors';

/**
 * AWS Glue Schema Registry wire format (what software.amazon.glue:schema-registry-serde writes):
 * byte 0 header version 3, byte 1 compression (0 none, 5 zlib), bytes 2–17 the schema version
 * UUID (most significant half first), then the Avro binary body.
 */
export const GLUE_HEADER_VERSION = 3;
export const GLUE_HEADER_LENGTH = 18;
export const COMPRESSION_BYTE = { none: 0, zlib: 5 } as const;
export type FrameCompression = keyof typeof COMPRESSION_BYTE;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GlueHeader {
  readonly schemaVersionId: string;
  readonly compression: FrameCompression;
}

export interface GlueFrame extends GlueHeader {
  /** The Avro body as it is on the wire (still deflated when compression is zlib). */
  readonly body: Buffer;
}

// A producer writes the same few versions over and over: the last id's bytes are parsed once.
let lastWrittenId: string | undefined;
let lastWrittenBytes = Buffer.alloc(16);

/** Writes the 18 header bytes at `offset` (a view of the target would cost more than the header). */
export function writeGlueHeader(
  target: Buffer,
  schemaVersionId: string,
  compression: FrameCompression,
  offset = 0,
): void {
  if (schemaVersionId !== lastWrittenId) {
    if (!UUID.test(schemaVersionId)) throw new TypeError(`schema version id "${schemaVersionId}" is not a UUID`);
    const bytes = Buffer.alloc(16);
    bytes.write(schemaVersionId.replace(/-/g, ''), 0, 16, 'hex');
    lastWrittenBytes = bytes;
    lastWrittenId = schemaVersionId;
  }
  target[offset] = GLUE_HEADER_VERSION;
  target[offset + 1] = COMPRESSION_BYTE[compression];
  for (let i = 0; i < 16; i += 1) target[offset + 2 + i] = lastWrittenBytes[i] as number;
}

export function readGlueFrame(bytes: Uint8Array): GlueFrame {
  const buf = asBuffer(bytes);
  const { schemaVersionId, compression } = readGlueHeader(buf);
  return { schemaVersionId, compression, body: buf.subarray(GLUE_HEADER_LENGTH) };
}

/** The header of a message, checked as readGlueFrame checks it; the body starts at GLUE_HEADER_LENGTH. */
export function readGlueHeader(buf: Buffer): GlueHeader {
  if (buf.length > 0 && buf[0] !== GLUE_HEADER_VERSION) throw new UndecodableMessageError(notGlueFramed(buf));
  if (buf.length < GLUE_HEADER_LENGTH) {
    throw new UndecodableMessageError(
      `truncated Glue Schema Registry message: ${buf.length} bytes, the header alone is ${GLUE_HEADER_LENGTH}`,
    );
  }
  const compression = buf[1] === COMPRESSION_BYTE.none ? 'none' : buf[1] === COMPRESSION_BYTE.zlib ? 'zlib' : undefined;
  if (compression === undefined)
    throw new UndecodableMessageError(`unknown Glue compression byte ${buf[1]} (expected 0 = none or 5 = zlib)`);
  return { schemaVersionId: versionIdOf(buf), compression };
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function notGlueFramed(buf: Buffer): string {
  if (buf[0] === 0 && buf.length >= 5) {
    return `not a Glue Schema Registry message: it is Confluent-framed (magic byte 0, schema id ${buf.readUInt32BE(1)}); the first byte of a Glue message is ${GLUE_HEADER_VERSION}`;
  }
  return `not a Glue Schema Registry message: first byte is ${buf[0]}, expected header version ${GLUE_HEADER_VERSION}`;
}

// A consumer reads runs of messages of one version: the last id's text is formatted once.
const lastReadBytes = Buffer.alloc(16);
let lastReadId: string | undefined;

function versionIdOf(frame: Buffer): string {
  if (lastReadId !== undefined) {
    let same = true;
    for (let i = 0; i < 16 && same; i += 1) same = frame[2 + i] === lastReadBytes[i];
    if (same) return lastReadId;
  }
  frame.copy(lastReadBytes, 0, 2, GLUE_HEADER_LENGTH);
  lastReadId = formatUuid(lastReadBytes);
  return lastReadId;
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
