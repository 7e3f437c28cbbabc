import { COMPRESSION_BYTE, GLUE_HEADER_LENGTH, readGlueFrame, writeGlueHeader } from '../../../lib/serde/glue-frame';
import { UndecodableMessageError } from '../../../lib/serde/errors';

const VERSION_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const VERSION_BYTES = [0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0];

function errorOf(bytes: number[]): UndecodableMessageError {
  try {
    readGlueFrame(Buffer.from(bytes));
  } catch (error) {
    if (error instanceof UndecodableMessageError) return error;
    throw error;
  }
  throw new Error('expected an UndecodableMessageError');
}

describe('the Glue Schema Registry frame', () => {
  it('reads a message built byte by byte from the wire-format description', () => {
    const frame = readGlueFrame(Buffer.from([3, 0, ...VERSION_BYTES, 0x02, 0x61]));
    expect(frame).toEqual({ schemaVersionId: VERSION_ID, compression: 'none', body: Buffer.from([0x02, 0x61]) });
  });

  it('writes header version 3, the compression byte and the UUID most significant half first', () => {
    const header = Buffer.alloc(GLUE_HEADER_LENGTH);
    writeGlueHeader(header, VERSION_ID, 'zlib');
    expect([...header]).toEqual([3, COMPRESSION_BYTE.zlib, ...VERSION_BYTES]);
    expect(COMPRESSION_BYTE).toEqual({ none: 0, zlib: 5 });
  });

  it('refuses a schema version id that is not a UUID', () => {
    expect(() => writeGlueHeader(Buffer.alloc(18), 'not-a-uuid', 'none')).toThrow(
      'schema version id "not-a-uuid" is not a UUID',
    );
  });

  it('names a Confluent-framed payload and its schema id', () => {
    expect(errorOf([0, 0, 0, 0, 42, 2, 0x61]).message).toBe(
      'not a Glue Schema Registry message: it is Confluent-framed (magic byte 0, schema id 42); the first byte of a Glue message is 3',
    );
  });

  it('says which first byte it found when the payload is not Glue-framed', () => {
    expect(errorOf([0x7b, 0x22, 0x61]).message).toBe(
      'not a Glue Schema Registry message: first byte is 123, expected header version 3',
    );
  });

  it('reports a truncated header with its length', () => {
    const error = errorOf([3, 0, 1, 2]);
    expect(error.message).toBe('truncated Glue Schema Registry message: 4 bytes, the header alone is 18');
    expect(error).toMatchObject({ reason: 'UNDECODABLE', retriable: false });
  });

  it('rejects an unknown compression byte', () => {
    expect(errorOf([3, 9, ...VERSION_BYTES]).message).toBe(
      'unknown Glue compression byte 9 (expected 0 = none or 5 = zlib)',
    );
  });

  it('never crashes on random garbage: every failure is the typed error', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    for (let i = 0; i < 2000; i += 1) {
      const bytes = Buffer.from(Array.from({ length: next() % 40 }, next));
      try {
        readGlueFrame(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(UndecodableMessageError);
      }
    }
  });
});
