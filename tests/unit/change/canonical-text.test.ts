import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../lib/avro/canonical-json';
import { canonicalText } from '../../../lib/change/canonical-text';
import { eventIdOf, type SourceChange } from '../../../lib/change/change-record';
import { ENTITY_MODELS, ENTITY_NAMES, type EntityName } from '../../../local/simulator/entities';
import { createRandom, type Random } from '../../../local/simulator/random';
import type { JsonObject } from '../../../local/simulator/types';
import { seededRandom } from '../serde/corpus';

/** The event id as it was first written: the dedup id downstream, so every later one must equal it. */
const referenceEventId = (entity: string, change: SourceChange): string =>
  createHash('sha256')
    .update(canonicalJson([entity, change.id, change.updatedAt, change.op, change.data]))
    .digest('hex')
    .slice(0, 32);

const EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');

/** Each entity's records as the simulator makes them (created, then updated a few times, some deleted), as JSON.parse gives them. */
function simulatedChanges(entity: EntityName, count: number, random: Random): SourceChange[] {
  const model = ENTITY_MODELS[entity];
  const changes: SourceChange[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `${model.idPrefix}-${i}`;
    const nowMs = EPOCH_MS + i * 37;
    let data = model.create({ id, nowMs, random, parent: parentOf(entity, `p-${i}`, nowMs, random) });
    for (let n = 0; n < 3; n += 1) {
      const op = n === 2 && random.chance(0.1) ? 'DELETE' : 'UPSERT';
      const updatedAt = new Date(nowMs + n * 1000).toISOString();
      changes.push(JSON.parse(JSON.stringify({ id, op, updatedAt, data: op === 'DELETE' ? null : data })));
      data = model.update(data, { nowMs: nowMs + n * 1000, random });
    }
  }
  return changes;
}

/** The record an entity's model references (an invoice's customer, a payment's invoice and its customer). */
function parentOf(
  entity: EntityName,
  id: string,
  nowMs: number,
  random: Random,
): { id: string; data: JsonObject } | null {
  const reference = ENTITY_MODELS[entity].parent;
  if (reference === null) return null;
  const parent = parentOf(reference.entity, `${id}p`, nowMs, random);
  return { id, data: ENTITY_MODELS[reference.entity].create({ id, nowMs, random, parent }) };
}

const AWKWARD_KEYS = [
  '',
  'a',
  'B',
  'z',
  'é',
  '東京',
  '😀',
  '10',
  '9',
  '1a',
  '-1',
  '__proto__',
  'constructor',
  ' ',
  '"',
  '\\',
  '\u0000',
  '\ud800',
];
const AWKWARD_SCALARS = [
  null,
  true,
  false,
  0,
  -0,
  1e21,
  1e-7,
  -1.5,
  Number.MAX_SAFE_INTEGER,
  '',
  'ü',
  '\ud83d',
  '\u2028',
  '"\\/\b',
];

/** Any JSON value, with the keys and scalars where writers tend to disagree. */
function awkwardJson(random: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kind = depth <= 0 ? 0 : Math.floor(random() * 3);
  if (kind === 0) return pick(AWKWARD_SCALARS);
  if (kind === 1) return Array.from({ length: Math.floor(random() * 4) }, () => awkwardJson(random, depth - 1));
  const members = Array.from({ length: Math.floor(random() * 6) }, () => [
    random() < 0.5 ? pick(AWKWARD_KEYS) : `k${Math.floor(random() * 100)}`,
    awkwardJson(random, depth - 1),
  ]);
  // Through JSON text, as a source's records arrive: `__proto__` becomes an own member.
  return JSON.parse(`{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
}

describe('canonicalText', () => {
  test.each(ENTITY_NAMES)('gives every generated %s change the event id it always had', (entity) => {
    const changes = simulatedChanges(entity, 1500, createRandom(17, `event-id-${entity}`));
    expect(changes.length).toBe(4500);
    for (const change of changes) expect(eventIdOf(entity, change)).toBe(referenceEventId(entity, change));
  });

  test('writes the same text as canonicalJson for awkward JSON keys and values', () => {
    const random = seededRandom(29);
    for (let i = 0; i < 5000; i += 1) {
      const value = awkwardJson(random, 4);
      expect(canonicalText(value)).toBe(canonicalJson(value));
    }
  });

  test('writes the same text as canonicalJson for values JSON text cannot carry', () => {
    const values: unknown[] = [
      { at: new Date(0), n: 1 },
      [undefined, 1, () => 2],
      { f: () => 1, u: undefined, s: Symbol('s'), b: 1 },
      Object.assign(Object.create(null) as object, { b: 1, a: [null, { d: 1, c: 2 }] }),
      { 2: 'x', 10: 'y', a: 'z' },
      undefined,
      'text',
      Number.NaN,
    ];
    for (const value of values) expect(canonicalText(value)).toBe(canonicalJson(value));
  });

  test('keeps the event id of a known change', () => {
    const change: SourceChange = {
      id: 'c-42',
      op: 'UPSERT',
      updatedAt: '2026-11-24T10:00:00.000Z',
      data: { id: 'c-42', displayName: 'Ada', balance: 12.5, active: true, address: { city: 'Zürich', country: 'CH' } },
    };
    expect(eventIdOf('customer', change)).toBe(referenceEventId('customer', change));
    // sha256 of ["customer","c-42","2026-11-24T10:00:00.000Z","UPSERT",{"active":true,…,"id":"c-42"}], written out by hand.
    expect(eventIdOf('customer', change)).toBe('e3ae1121df0ee3235f6ea066183f1cea');
  });
});
