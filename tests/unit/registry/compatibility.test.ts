import { findIncompatibility } from '../../../lib/registry/compatibility';
import { dataFields, evolve, schemaFile } from '../../helpers/schemas';

const v1 = schemaFile('customer');
const addOptional = evolve(v1, (s) =>
  dataFields(s).push({ name: 'loyaltyTier', type: ['null', 'string'], default: null }),
);
const addRequired = evolve(v1, (s) => dataFields(s).push({ name: 'segment', type: 'string' }));
const removeRequired = evolve(v1, (s) => {
  const fields = dataFields(s);
  fields.splice(
    fields.findIndex((f) => f.name === 'displayName'),
    1,
  );
});
const retype = evolve(v1, (s) => {
  const balance = dataFields(s).find((f) => f.name === 'balance');
  if (balance) balance.type = 'string';
});

describe('schema compatibility checks', () => {
  it('accepts a new optional field under every mode', () => {
    for (const mode of ['BACKWARD', 'BACKWARD_ALL', 'FORWARD', 'FORWARD_ALL', 'FULL', 'FULL_ALL'] as const) {
      expect(findIncompatibility(mode, addOptional, [v1])).toBeUndefined();
    }
  });

  it('refuses a new required field under BACKWARD, naming it', () => {
    expect(findIncompatibility('BACKWARD', addRequired, [v1])).toBe(
      'BACKWARD: the new schema cannot read data written with version 1: field data.segment is required (no default) but absent from the written data',
    );
  });

  it('refuses removing a required field under FORWARD (old readers need it), naming it', () => {
    expect(findIncompatibility('FORWARD', removeRequired, [v1])).toBe(
      'FORWARD: version 1 cannot read data written with the new schema: field data.displayName is required (no default) but absent from the written data',
    );
    // Avro readers ignore fields they do not know: removing a field is BACKWARD compatible.
    expect(findIncompatibility('BACKWARD', removeRequired, [v1])).toBeUndefined();
  });

  it('refuses a changed field type, naming the field', () => {
    expect(findIncompatibility('FULL', retype, [v1])).toBe(
      'FULL: the new schema cannot read data written with version 1: field data.balance: cannot read "double" as "string"',
    );
  });

  it('checks only the latest version unless the mode is *_ALL', () => {
    // v1 -> v2 drops displayName (fine backward), v3 re-adds it as required: v3 cannot read v2's data.
    const readded = v1;
    expect(findIncompatibility('BACKWARD', readded, [v1, removeRequired])).toMatch(/data\.displayName is required/);
    // Dropping displayName again: the latest (v2) reads it fine, but v1 readers need displayName.
    expect(findIncompatibility('FORWARD', removeRequired, [v1, removeRequired])).toBeUndefined();
    expect(findIncompatibility('FORWARD_ALL', removeRequired, [v1, removeRequired])).toMatch(
      /^FORWARD_ALL: version 1 cannot read data written with the new schema: field data\.displayName is required/,
    );
  });

  it('lets anything through under NONE and DISABLED', () => {
    expect(findIncompatibility('NONE', addRequired, [v1])).toBeUndefined();
    expect(findIncompatibility('DISABLED', retype, [v1])).toBeUndefined();
  });
});
