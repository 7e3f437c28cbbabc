import { compileSchema } from '../../../lib/avro';
import { decodeAvro, encodeAvro } from '../../../lib/avro/ascii-tap';
import { schemaFile } from '../../helpers/schemas';
import { seededRandom, valueOf } from '../serde/corpus';

const ENTITIES = ['customer', 'invoice', 'payment'];
const STRINGS = JSON.stringify({
  type: 'record',
  name: 'Texts',
  fields: [
    { name: 'texts', type: { type: 'array', items: 'string' } },
    { name: 'tags', type: { type: 'map', values: 'string' } },
  ],
});

/** What avsc itself does, or its error message. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('the ASCII tap against avsc', () => {
  it.each(ENTITIES)('writes every generated %s record to avsc bytes and reads them back to avsc values', (entity) => {
    const type = compileSchema(schemaFile(entity));
    const random = seededRandom(200 + ENTITIES.indexOf(entity));
    const out = Buffer.alloc(4096);
    for (let i = 0; i < 1000; i += 1) {
      const record = valueOf(type, random);
      if (!type.isValid(record)) continue;
      const expected = type.toBuffer(record);
      const end = encodeAvro(type, record, out, 7);
      expect(out.subarray(7, end).toString('hex')).toBe(expected.toString('hex'));
      const framed = Buffer.concat([Buffer.from([1, 2, 3]), expected]);
      expect(JSON.stringify(decodeAvro(type, framed, 3))).toBe(JSON.stringify(type.fromBuffer(expected)));
    }
  });

  it('writes and reads strings of every kind as avsc does: ASCII, non-ASCII, lone surrogates, 63 to 65 characters', () => {
    const type = compileSchema(STRINGS);
    const texts = [
      '',
      'a',
      'x'.repeat(63),
      'x'.repeat(64),
      'x'.repeat(65),
      'Zürich',
      '東京都',
      '😀',
      '\ud800',
      'a\udc00b',
      '\u0000\u007f\u0080',
    ];
    const record = { texts, tags: Object.fromEntries(texts.map((t, i) => [`${t}${i}`, t])) };
    const expected = type.toBuffer(record);
    const out = Buffer.alloc(1024);
    const end = encodeAvro(type, record, out, 0);
    expect(out.subarray(0, end).equals(expected)).toBe(true);
    expect(decodeAvro(type, expected, 0)).toEqual(type.fromBuffer(expected));
  });

  it('reports the room missing when the buffer is too small, as avsc does', () => {
    const type = compileSchema(STRINGS);
    const record = { texts: ['x'.repeat(40), 'ascii only'], tags: {} };
    for (let size = 0; size < 60; size += 1)
      expect(encodeAvro(type, record, Buffer.alloc(size), 0)).toBe(type.encode(record, Buffer.alloc(size), 0));
  });

  it('reads bodies larger than the shared text string by string, to the same values', () => {
    const type = compileSchema(STRINGS);
    const record = { texts: ['y'.repeat(70_000), 'short', 'Zürich'], tags: { k: 'v' } };
    const body = type.toBuffer(record);
    expect(decodeAvro(type, body, 0)).toEqual(record);
  });

  it('fails on truncated, trailing and corrupt bodies with avsc messages', () => {
    const type = compileSchema(schemaFile('customer'));
    const body = type.toBuffer(valueOf(type, seededRandom(3)));
    const cases = [
      body.subarray(0, body.length - 1),
      body.subarray(0, 5),
      Buffer.concat([body, Buffer.from([0])]),
      Buffer.from([0x01]),
      Buffer.from([0x7f, 0x61]),
      Buffer.alloc(0),
    ];
    for (const bytes of cases)
      expect(outcome(() => decodeAvro(type, bytes, 0))).toEqual(outcome(() => type.fromBuffer(bytes)));
  });

  it('reads with a resolver as avsc does (an older writer read as a newer reader)', () => {
    const writer = compileSchema(
      JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] }),
    );
    const reader = compileSchema(
      JSON.stringify({
        type: 'record',
        name: 'R',
        fields: [
          { name: 'a', type: 'string' },
          { name: 'b', type: ['null', 'string'], default: null },
        ],
      }),
    );
    const resolver = reader.createResolver(writer);
    const body = writer.toBuffer({ a: 'Zürich and ASCII' });
    expect(decodeAvro(reader, body, 0, resolver)).toEqual(reader.fromBuffer(body, resolver));
  });
});
