import { toChangeRecord } from '../../../lib/change/change-record';
import { advance, type Position } from '../../../lib/checkpoint';
import { type PlanContext, planPage } from '../../../lib/poller/page-plan';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import type { SourceEntry } from '../../../lib/source';
import { schemaFile } from '../../helpers/schemas';

const T1 = '2026-03-01T10:00:00.000Z';
const T2 = '2026-03-01T10:00:01.000Z';
const LOOKBACK = { lookbackMs: 0, maxIds: 8000 };

const changeOf = (n: number, updatedAt: string): SourceEntry => {
  const id = `c-${String(n).padStart(5, '0')}`;
  return {
    kind: 'change',
    change: {
      id,
      op: 'UPSERT',
      updatedAt,
      data: {
        id,
        displayName: id,
        email: null,
        phone: null,
        address: null,
        balance: 1,
        active: true,
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    },
  };
};
/** The source's changes numbered `from` to `to` (excluded), all at `updatedAt`, in (updatedAt, id) order. */
const changes = (from: number, to: number, updatedAt: string): SourceEntry[] =>
  Array.from({ length: to - from }, (_, k) => changeOf(from + k, updatedAt));
const eventIdOf = (entry: SourceEntry): string =>
  entry.kind === 'change' ? toChangeRecord('customer', entry.change).eventId : '';

function serde(): GlueAvroSerde {
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  return new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));
}
const contextAt = (position: Position): PlanContext => ({
  entity: 'customer',
  schemaName: 'cdc.customer',
  compression: 'none',
  position,
  retriableKeys: new Set<string>(),
  now: '2026-03-02T00:00:00.000Z',
});

/** One page as the poller handles it: planned against the position, then the position advanced over it. */
async function pollPage(entries: SourceEntry[], position: Position) {
  const plan = await planPage(entries, serde(), contextAt(position));
  const next = advance(
    position,
    plan.changes.map((c) => ({ updatedAt: c.updatedAt, eventId: c.eventId, handedOff: true })),
    LOOKBACK,
  );
  return { published: plan.publish.map((p) => p.record.id), duplicates: plan.duplicates, next };
}

describe('pages inside and across a 5,000-id timestamp tie', () => {
  // The checkpoint after a run that handed off the first 5,000 changes at T1 and stopped there.
  const tie = changes(0, 5000, T1);
  const inTie: Position = { updatedAt: T1, eventIdsAtUpdatedAt: tie.map(eventIdOf) };

  it('skips every change of a page that repeats the tie (the inclusive updatedSince), and keeps the position', async () => {
    const { published, duplicates, next } = await pollPage(tie.slice(0, 500), inTie);
    expect({ published, duplicates }).toEqual({ published: [], duplicates: 500 });
    expect(next).toBe(inTie);
  });

  it('publishes only the unlisted changes of a page inside the tie, in order, and lists them after the tie', async () => {
    const page = [...tie.slice(4750), ...changes(5000, 5250, T1)];
    const { published, duplicates, next } = await pollPage(page, inTie);
    expect({ published, duplicates }).toEqual({
      published: changes(5000, 5250, T1).map((e) => (e.kind === 'change' ? e.change.id : '')),
      duplicates: 250,
    });
    expect(next).toEqual({
      updatedAt: T1,
      eventIdsAtUpdatedAt: [...inTie.eventIdsAtUpdatedAt, ...page.slice(250).map(eventIdOf)],
    });
  });

  it('publishes the rest of the tie and what follows when a page crosses it, leaving only the next timestamp listed', async () => {
    const after = changes(5400, 5500, T2);
    const page = [...tie.slice(4900), ...changes(5000, 5400, T1), ...after];
    const { published, duplicates, next } = await pollPage(page, inTie);
    expect({ published: published.length, duplicates }).toEqual({ published: 500, duplicates: 100 });
    expect(next).toEqual({ updatedAt: T2, eventIdsAtUpdatedAt: after.map(eventIdOf) });
  });

  it('hands off each change of a 5,500-change tie once over pages of 500, whatever page the run starts from', async () => {
    const source = changes(0, 5500, T1);
    let position: Position = { updatedAt: T1, eventIdsAtUpdatedAt: [] };
    const handedOff: string[] = [];
    // Each page is read from the watermark (inclusive): the listed part of the tie comes back first.
    for (let listed = 0; listed < source.length; listed = position.eventIdsAtUpdatedAt.length) {
      const page = source.slice(Math.max(0, listed - 250), listed + 250);
      const { published, next } = await pollPage(page, position);
      handedOff.push(...published);
      position = next;
    }
    expect(handedOff).toEqual(source.map((e) => (e.kind === 'change' ? e.change.id : '')));
    expect(position.eventIdsAtUpdatedAt).toEqual(source.map(eventIdOf));
  });
});
