import { deadLettersCommand } from '../../../ops/cli/dead-letters';
import { parkedCommand } from '../../../ops/cli/parked';
import { runCommand } from '../../../ops/cli/run-command';
import { deadLetterKey } from '../../../lib/raw';
import {
  deadLetterPrefix,
  InMemoryDeadLetters,
  InMemoryParkedItems,
  listParked,
  type ParkedReading,
} from '../../../ops/parked';
import { fakeStage, type FakeStage, parkedChange, scriptedIo } from './fakes';

const openWith = (stage: FakeStage) => async () => stage;

interface Rig {
  readonly stage: FakeStage;
  readonly items: InMemoryParkedItems;
  readonly letters: InMemoryDeadLetters;
  readonly reading: () => ParkedReading;
}

function rig(): Rig {
  const stage = fakeStage();
  const items = new InMemoryParkedItems(stage.store);
  const letters = new InMemoryDeadLetters();
  return { stage, items, letters, reading: () => ({ items, deadLetters: letters, close: () => undefined }) };
}

async function parked(r: Rig, argv: string[]) {
  const t = scriptedIo(undefined);
  const code = await runCommand((a, io) => parkedCommand(a, io, openWith(r.stage), r.reading), argv, t.io);
  return { code, out: t.out.join('\n'), err: t.err.join('\n') };
}

async function deadLetters(r: Rig, argv: string[]) {
  const t = scriptedIo(undefined);
  const code = await runCommand((a, io) => deadLettersCommand(a, io, openWith(r.stage), r.reading), argv, t.io);
  return { code, out: t.out.join('\n'), err: t.err.join('\n') };
}

const invalid = (id: string, secondsAgo: number) =>
  parkedChange(id, secondsAgo, {
    reason: 'SCHEMA_VALIDATION',
    error: 'record does not match schema customer: data.email: expected string, got 12',
    violations: [
      { path: 'data.email', expected: 'string', received: '12' },
      { path: 'data.address.zip', expected: 'string', received: 'null' },
    ],
  });

function deadLetterObject(offset: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    reason: 'SCHEMA_NOT_FOUND',
    error: 'schema version 1234 is not in the registry',
    topic: 'cdc.customer',
    partition: 0,
    offset,
    timestamp: 1_764_000_000_000,
    key: `c-${offset}`,
    headers: {},
    valueBase64: Buffer.from('secret bytes').toString('base64'),
    deadLetteredAt: '2026-11-24T11:00:00.000Z',
    ...overrides,
  });
}

describe('npm run parked', () => {
  it("lists each item's key, status, reason, attempts, next attempt and failing field paths, never its payload", async () => {
    const r = rig();
    await r.stage.store.park([invalid('c-1', 60)]);
    const { code, out } = await parked(r, ['--stage', 'test']);
    expect(code).toBe(0);
    const row = out.split('\n').find((l) => l.startsWith('customer'));
    expect(row).toMatch(
      /^customer\s+c-1\s+RETRIABLE\s+SCHEMA_VALIDATION\s+1\s+2026-11-24T12:00:00.000Z\s+data\.email, data\.address\.zip\s/,
    );
    expect(out).toMatch(/^ENTITY\s+ID\s+STATUS\s+REASON\s+ATTEMPTS\s+NEXT ATTEMPT\s+FIELDS\s+ERROR$/m);
    expect(out).not.toContain('"data"');
  });

  it('narrows to an entity, a status and a reason', async () => {
    const r = rig();
    await r.stage.store.park([
      invalid('c-1', 60),
      parkedChange('c-2', 50),
      parkedChange('c-3', 40, { status: 'AMBIGUOUS' }),
      { ...parkedChange('i-1', 30), entity: 'invoice' },
    ]);
    const ids = async (argv: string[]) =>
      (JSON.parse((await parked(r, ['--stage', 'test', '--json', ...argv])).out) as { rows: { id: string }[] }).rows
        .map((row) => row.id)
        .sort();
    expect(await ids([])).toEqual(['c-1', 'c-2', 'c-3', 'i-1']);
    expect(await ids(['--entity', 'invoice'])).toEqual(['i-1']);
    expect(await ids(['--status', 'ambiguous'])).toEqual(['c-3']);
    expect(await ids(['--reason', 'SCHEMA_VALIDATION'])).toEqual(['c-1']);
    expect(await ids(['--entity', 'customer', '--status', 'RETRIABLE', '--reason', 'KAFKA_UNAVAILABLE'])).toEqual([
      'c-2',
    ]);
  });

  it('stops at --limit, reading one item more to say that more exist', async () => {
    const r = rig();
    await r.stage.store.park([1, 2, 3, 4, 5].map((n) => parkedChange(`c-${n}`, n)));
    const { out } = await parked(r, ['--stage', 'test', '--limit', '2']);
    expect(out).toContain('2 shown, more exist');
    expect(out).toContain('More match than the 2 shown');
    expect(r.items.read).toBe(3);

    const all = await parked(r, ['--stage', 'test', '--limit', '5']);
    expect(all.out).toContain('5 shown.');
    expect(all.out).not.toContain('more exist');
  });

  it('defaults to 50 items', async () => {
    const r = rig();
    await r.stage.store.park(Array.from({ length: 51 }, (_, n) => parkedChange(`c-${n}`, n + 1)));
    const listing = await listParked(r.items, {}, 50);
    expect(listing.rows).toHaveLength(50);
    const { out } = await parked(r, ['--stage', 'test', '--json']);
    expect(JSON.parse(out)).toMatchObject({ limit: 50, more: true });
  });

  it('says how many fields failed when the item keeps only the first ones', async () => {
    const r = rig();
    await r.stage.store.park([
      parkedChange('c-1', 1, {
        reason: 'SCHEMA_VALIDATION',
        violations: Array.from({ length: 120 }, (_, i) => ({ path: `data.f${i}`, expected: 'int', received: '"x"' })),
      }),
    ]);
    const { out } = await parked(r, ['--stage', 'test']);
    expect(out).toContain('data.f0, data.f1, data.f2 (+117)');
  });

  it('refuses an unknown --status, naming the flag and the statuses there are', async () => {
    const { code, err } = await parked(rig(), ['--stage', 'test', '--status', 'PARKED']);
    expect(code).toBe(2);
    expect(err).toBe(
      'error: --status: "PARKED" is not a status; the statuses are RETRIABLE, AMBIGUOUS, SUPERSEDED, STALE',
    );
  });

  it('refuses an unknown --reason, naming the flag and the reasons there are', async () => {
    const { code, err } = await parked(rig(), ['--stage', 'test', '--reason', 'BROKEN']);
    expect(code).toBe(2);
    expect(err).toContain('--reason: "BROKEN" is not a reason; the reasons are KAFKA_UNAVAILABLE, KAFKA_REFUSED,');
  });

  it.each(['0', '-1', 'ten', '1.5', '1001'])('refuses --limit %s', async (limit) => {
    const { code, err } = await parked(rig(), ['--stage', 'test', '--limit', limit]);
    expect(code).toBe(2);
    expect(err).toContain('--limit: takes a whole number from 1 to 1000');
  });

  it("refuses an entity that is not the stage's", async () => {
    const { code, err } = await parked(rig(), ['--stage', 'test', '--entity', 'order']);
    expect(code).toBe(2);
    expect(err).toContain('--entity: "order" is not an entity of stage test');
  });

  it('says so when nothing matches', async () => {
    const { code, out } = await parked(rig(), ['--stage', 'test', '--status', 'STALE']);
    expect(code).toBe(0);
    expect(out).toBe('Parked items in in-memory fallback table (status STALE): none.');
  });
});

describe('npm run parked -- show', () => {
  it('shows every item of the key in full, oldest first, the payload redacted to its size', async () => {
    const r = rig();
    await r.stage.store.park([invalid('c-1', 60), parkedChange('c-1', 30, { reason: 'PARKED_BEHIND_KEY' })]);
    const { code, out } = await parked(r, ['show', 'customer', 'c-1', '--stage', 'test']);
    expect(code).toBe(0);
    expect(out).toContain('customer c-1: 2 parked item(s)');
    expect(out.indexOf('SCHEMA_VALIDATION')).toBeLessThan(out.indexOf('PARKED_BEHIND_KEY'));
    expect(out).toContain('field         data.email: expected string, got 12');
    expect(out).toMatch(/payload {7}<redacted: \d+ bytes> \(--payload shows it\)/);
    expect(out).not.toContain('"op"');
  });

  it('shows the payload with --payload', async () => {
    const r = rig();
    await r.stage.store.park([parkedChange('c-1', 30)]);
    const { out } = await parked(r, ['show', 'customer', 'c-1', '--stage', 'test', '--payload']);
    expect(out).toContain('"op": "UPSERT"');
    expect(out).not.toContain('redacted');
    const json = JSON.parse((await parked(r, ['show', 'customer', 'c-1', '--stage', 'test', '--json'])).out);
    expect(json.items[0].payload).toMatch(/^<redacted: \d+ bytes>$/);
  });

  it('says so when nothing is parked for the key', async () => {
    const { code, out } = await parked(rig(), ['show', 'customer', 'c-9', '--stage', 'test']);
    expect(code).toBe(0);
    expect(out).toBe('Nothing is parked for customer c-9 in in-memory fallback table.');
  });

  it('needs an entity and an id', async () => {
    const { code, err } = await parked(rig(), ['show', 'customer', '--stage', 'test']);
    expect(code).toBe(2);
    expect(err).toContain('show: takes an entity and an id');
  });
});

describe('npm run dead-letters', () => {
  it("lists each dead letter's record, key, reason and size, never its bytes", async () => {
    const r = rig();
    r.letters.objects.set(deadLetterKey('customer', 'cdc.customer', 0, 7), deadLetterObject(7));
    const { code, out } = await deadLetters(r, ['--stage', 'test']);
    expect(code).toBe(0);
    expect(out).toMatch(
      /customer\s+cdc\.customer\[0\]@7\s+c-7\s+SCHEMA_NOT_FOUND\s+2026-11-24T11:00:00.000Z\s+12\s+schema version 1234/,
    );
    expect(out).not.toContain(Buffer.from('secret bytes').toString('base64'));
  });

  it('narrows to an entity, stops at --limit and says that more exist', async () => {
    const r = rig();
    for (const offset of [1, 2, 3])
      r.letters.objects.set(deadLetterKey('customer', 'cdc.customer', 0, offset), deadLetterObject(offset));
    r.letters.objects.set(deadLetterKey('invoice', 'cdc.invoice', 0, 1), deadLetterObject(1, { topic: 'cdc.invoice' }));
    const json = JSON.parse(
      (await deadLetters(r, ['--stage', 'test', '--entity', 'customer', '--json', '--limit', '2'])).out,
    );
    expect(json).toMatchObject({ entity: 'customer', limit: 2, more: true });
    expect(json.rows.map((row: { offset: number }) => row.offset)).toEqual([1, 2]);
    const { out } = await deadLetters(r, ['--stage', 'test', '--entity', 'invoice']);
    expect(out).toContain('1 shown.');
  });

  it('shows an object that is not a dead letter as unreadable, with why', async () => {
    const r = rig();
    r.letters.objects.set('dead-letter/entity=customer/x.json', '{"hello":1}');
    const { out } = await deadLetters(r, ['--stage', 'test']);
    expect(out).toMatch(/customer\s+dead-letter\/entity=customer\/x\.json\s+-\s+UNREADABLE/);
    expect(out).toContain('not a consumer dead letter');
  });

  it('lists under the prefix the consumer writes to', () => {
    expect(deadLetterKey('customer', 'cdc.customer', 3, 9).startsWith(deadLetterPrefix('customer'))).toBe(true);
    expect(deadLetterPrefix('customer').startsWith(deadLetterPrefix())).toBe(true);
  });
});
