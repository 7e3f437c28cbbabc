import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalDefinition, canonicalJson } from '../../../lib/avro';

const SCHEMAS = path.resolve(__dirname, '..', '..', '..', 'schemas');

describe('canonical JSON', () => {
  it('does not depend on key order, at any depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it('leaves out undefined members', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });

  it.each(readdirSync(SCHEMAS).filter((f) => f.endsWith('.avsc')))(
    'gives %s the same canonical definition however it is laid out',
    (file) => {
      const definition = readFileSync(path.join(SCHEMAS, file), 'utf8');
      const reordered = JSON.stringify(JSON.parse(definition), null, 3);
      expect(canonicalDefinition(reordered)).toBe(canonicalDefinition(definition));
      expect(JSON.parse(canonicalDefinition(definition))).toEqual(JSON.parse(definition));
    },
  );
});
