import { START_OF_TIME } from '../../../lib/checkpoint';
import { planPage } from '../../../lib/poller/page-plan';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import type { SourceEntry } from '../../../lib/source';
import { schemaFile } from '../../helpers/schemas';

const customer = (id: string, displayName: string): Record<string, unknown> => ({
  id,
  displayName,
  email: null,
  phone: null,
  address: null,
  balance: 1,
  active: true,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const changeOf = (id: string, updatedAt: string, name = id): SourceEntry => ({
  kind: 'change',
  change: { id, op: 'UPSERT', updatedAt, data: customer(id, name) },
});

function serde(): GlueAvroSerde {
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  return new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));
}
const ctx = {
  entity: 'customer',
  schemaName: 'cdc.customer',
  compression: 'none' as const,
  position: START_OF_TIME,
  retriableKeys: new Set<string>(),
  now: '2026-03-02T00:00:00.000Z',
};

describe('planning one page', () => {
  it("publishes one key's changes in (updatedAt, eventId) order even when the page lists them newest first", async () => {
    const page = [
      changeOf('c-1', '2026-03-01T10:00:02.000Z'),
      changeOf('c-2', '2026-03-01T10:00:01.000Z'),
      changeOf('c-1', '2026-03-01T10:00:01.000Z'),
      changeOf('c-1', '2026-03-01T10:00:00.000Z'),
    ];
    const plan = await planPage(page, serde(), ctx);
    expect(plan.publish.map((p) => `${p.record.id}@${p.record.updatedAt.slice(17, 19)}`)).toEqual([
      'c-1@00',
      'c-2@01',
      'c-1@01',
      'c-1@02',
    ]);
  });

  it('orders two changes of one key at one instant by eventId', async () => {
    const page = [changeOf('c-1', '2026-03-01T10:00:00.000Z', 'b'), changeOf('c-1', '2026-03-01T10:00:00.000Z', 'a')];
    for (const listed of [page, [...page].reverse()]) {
      const ids = (await planPage(listed, serde(), ctx)).publish.map((p) => p.record.eventId);
      expect(ids).toEqual([...ids].sort());
    }
  });

  it('hands off the same change listed twice once, counting the second as a duplicate', async () => {
    const plan = await planPage(
      [changeOf('c-1', '2026-03-01T10:00:00.000Z'), changeOf('c-1', '2026-03-01T10:00:00.000Z')],
      serde(),
      ctx,
    );
    expect({ published: plan.publish.length, duplicates: plan.duplicates, changes: plan.changes.length }).toEqual({
      published: 1,
      duplicates: 1,
      changes: 1,
    });
  });
});
