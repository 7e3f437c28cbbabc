import { DEFAULT_MAPPING, normalizeEntry } from '../../../lib/source';

const NOW = Date.parse('2026-11-25T00:00:00.000Z');
const problem = (raw: unknown): string => {
  const entry = normalizeEntry(raw, DEFAULT_MAPPING, NOW);
  return entry.kind === 'malformed' ? entry.problem : 'ok';
};
const good = { id: 'c-1', op: 'UPSERT', updatedAt: '2026-11-24T10:00:00.000Z', data: { id: 'c-1' } };

describe('normalising a source record', () => {
  it('keeps a good record, normalising the instant to UTC with milliseconds', () => {
    expect(normalizeEntry({ ...good, updatedAt: '2026-11-24T11:00:00+01:00' }, DEFAULT_MAPPING, NOW)).toEqual({
      kind: 'change',
      change: { id: 'c-1', op: 'UPSERT', updatedAt: '2026-11-24T10:00:00.000Z', data: { id: 'c-1' } },
    });
  });

  it('accepts a DELETE without data', () => {
    expect(problem({ ...good, op: 'DELETE', data: null })).toBe('ok');
  });

  it.each([
    ['not an object', 'a string', 'record is string, not an object'],
    ['an array', [1], 'record is an array, not an object'],
    ['null', null, 'record is null, not an object'],
    ['no id', { ...good, id: undefined }, 'id must be a non-empty string, got nothing'],
    ['an empty id', { ...good, id: ' ' }, 'id must be a non-empty string, got " "'],
    ['a numeric id', { ...good, id: 42 }, 'id must be a non-empty string, got 42'],
    [
      'an unparseable timestamp',
      { ...good, updatedAt: 'yesterday' },
      'updatedAt must be an ISO-8601 instant with at most ms precision, got "yesterday"',
    ],
    [
      'a timestamp without zone',
      { ...good, updatedAt: '2026-11-24T10:00:00' },
      'updatedAt must be an ISO-8601 instant with at most ms precision, got "2026-11-24T10:00:00"',
    ],
    [
      'a future timestamp',
      { ...good, updatedAt: '2027-01-01T00:00:00.000Z' },
      'updatedAt 2027-01-01T00:00:00.000Z is in the future',
    ],
    ['an unknown op', { ...good, op: 'MERGE' }, 'op must be UPSERT or DELETE, got "MERGE"'],
    ['an UPSERT without data', { ...good, data: null }, 'an UPSERT needs data to be an object'],
  ])('marks %s as malformed', (_what, raw, expected) => {
    expect(problem(raw)).toBe(expected);
  });

  it('keeps the id of a malformed record when it has one (so it can be parked under its key)', () => {
    expect(normalizeEntry({ ...good, op: 'MERGE' }, DEFAULT_MAPPING, NOW)).toMatchObject({
      kind: 'malformed',
      id: 'c-1',
    });
  });
});
