import { InMemorySource, type PageQuery } from '../../../lib/source';

const change = {
  id: 'c-1',
  op: 'UPSERT',
  updatedAt: '2026-11-24T10:00:00.000Z',
  data: { name: 'Ada', nickname: undefined },
};

describe('the in-memory source', () => {
  it('asks for the page the poller wants, with the page limit', async () => {
    const asked: PageQuery[] = [];
    const source = new InMemorySource(
      (query) => {
        asked.push(query);
        return { entity: 'customer', events: [], nextPageToken: null };
      },
      { pageLimit: 7 },
    );
    await source.fetchPage('customer', '2026-11-24T00:00:00.000Z', 'tok');
    expect(asked).toEqual([
      { entity: 'customer', updatedSince: '2026-11-24T00:00:00.000Z', pageToken: 'tok', limit: 7 },
    ]);
  });

  it('reads the answer as it would arrive over HTTP: through the mapping, copied as JSON', async () => {
    const source = new InMemorySource(() => ({ entity: 'customer', events: [change, 'junk'], nextPageToken: 'next' }), {
      pageLimit: 7,
    });
    const page = await source.fetchPage('customer', '2026-11-24T00:00:00.000Z', null);
    expect(page.nextPageToken).toBe('next');
    expect(page.entries).toHaveLength(2);
    expect(page.entries[0]).toMatchObject({ kind: 'change', change: { id: 'c-1', data: { name: 'Ada' } } });
    expect(Object.keys((page.entries[0] as { change: { data: object } }).change.data)).toEqual(['name']);
    expect(page.entries[1]?.kind).not.toBe('change');
  });
});
