import { type RunningSimulator, startSimulatorServer } from '../../../local/simulator';
import {
  DEFAULT_MAPPING,
  HttpSource,
  pagesOf,
  parseMapping,
  retryAfterMs,
  type ResponseMapping,
  SourceError,
  type SourcePage,
} from '../../../lib/source';
import { scriptedServer } from '../../helpers/scripted-server';

const EPOCH = '1970-01-01T00:00:00.000Z';

function source(
  baseUrl: string | URL,
  waits: number[] = [],
  overrides: { mapping?: ResponseMapping; token?: string; maxResponseBytes?: number; timeoutMs?: number } = {},
): HttpSource {
  return new HttpSource({
    baseUrl: new URL(String(baseUrl)),
    mappingOf: () => overrides.mapping ?? DEFAULT_MAPPING,
    token: async () => overrides.token,
    pageLimit: 50,
    requestTimeoutMs: overrides.timeoutMs ?? 2000,
    maxResponseBytes: overrides.maxResponseBytes ?? 1_000_000,
    retry: {
      retries: 5,
      initialDelayMs: 100,
      maxDelayMs: 2000,
      random: () => 1,
      sleep: async (ms) => void waits.push(ms),
    },
  });
}

async function all(pages: AsyncGenerator<SourcePage>): Promise<SourcePage[]> {
  const out: SourcePage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('the HTTP source client against the simulator', () => {
  let sim: RunningSimulator;
  afterEach(async () => sim?.close());

  it('reads every change of an entity across pages, in (updatedAt, id) order', async () => {
    sim = await startSimulatorServer({ seed: 3, faults: { tieRate: 0.6 } });
    sim.simulator.generate(800);
    const pages = await all(
      pagesOf(source(sim.url), 'customer', EPOCH, { maxPages: 100, maxConsecutiveEmptyPages: 3 }),
    );
    const changes = pages.flatMap((p) => p.entries).map((e) => (e.kind === 'change' ? e.change : undefined));
    const expected = sim.simulator.state(['customer']).entities.customer?.records ?? [];
    expect(pages.length).toBeGreaterThan(1);
    expect(changes.map((c) => `${c?.updatedAt}|${c?.id}`)).toEqual(
      expected.map((r) => `${r.updatedAt}|${r.id}`).sort(),
    );
  });

  it('sends the bearer token, and a refused token is a clear, non-retriable error', async () => {
    sim = await startSimulatorServer({ seed: 1, token: 's3cret' });
    sim.simulator.generate(5);
    await expect(source(sim.url, [], { token: 's3cret' }).fetchPage('customer', EPOCH, null)).resolves.toBeDefined();
    const error = await source(sim.url, [], { token: 'wrong' })
      .fetchPage('customer', EPOCH, null)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, retriable: false });
    expect((error as Error).message).toContain('refused the credentials');
    expect((error as Error).message).not.toContain('wrong');
  });

  it('keeps a malformed record as a malformed entry and reads the rest of the page', async () => {
    sim = await startSimulatorServer({ seed: 2, faults: { malformedRate: 1 } });
    sim.simulator.generate(20, ['customer']);
    const page = await source(sim.url).fetchPage('customer', EPOCH, null);
    expect(page.entries.some((e) => e.kind === 'malformed')).toBe(true);
    expect(page.entries.filter((e) => e.kind === 'change').length).toBeGreaterThan(0);
  });
});

describe('the HTTP source client against a misbehaving server', () => {
  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const server = await scriptedServer([
      { status: 429, headers: { 'retry-after': '1' }, body: '' },
      { body: { events: [], nextPageToken: null } },
    ]);
    const waits: number[] = [];
    await source(server.url, waits).fetchPage('customer', EPOCH, null);
    expect(waits).toEqual([1000]);
    await server.close();
  });

  it('backs off exponentially on 5xx and gives up after its retries with the last error', async () => {
    const server = await scriptedServer([{ status: 503, body: 'busy' }]);
    const waits: number[] = [];
    await expect(source(server.url, waits).fetchPage('customer', EPOCH, null)).rejects.toThrow(
      'GET /cdc answered 503: busy',
    );
    expect(waits).toEqual([100, 200, 400, 800, 1600]);
    expect(server.requests).toHaveLength(6);
    await server.close();
  });

  it('retries an HTML page served with status 200 and names what it got', async () => {
    const server = await scriptedServer([
      { body: '<!DOCTYPE html><html>Gateway error</html>', headers: { 'content-type': 'text/html' } },
    ]);
    await expect(source(server.url).fetchPage('customer', EPOCH, null)).rejects.toThrow(
      'answered 200 with a body that is not JSON (starts with "<!DOCTYPE html><html>Gateway error</html")',
    );
    expect(server.requests).toHaveLength(6);
    await server.close();
  });

  it('refuses a response over the size limit without retrying', async () => {
    const server = await scriptedServer([{ body: { events: [{ id: 'x'.repeat(5000) }], nextPageToken: null } }]);
    await expect(source(server.url, [], { maxResponseBytes: 1000 }).fetchPage('customer', EPOCH, null)).rejects.toThrow(
      /over the 1000-byte limit/,
    );
    expect(server.requests).toHaveLength(1);
    await server.close();
  });

  it('stops when a page token repeats instead of looping', async () => {
    const server = await scriptedServer([
      { body: { events: [{ id: 'a', op: 'UPSERT', updatedAt: EPOCH, data: {} }], nextPageToken: 'same' } },
    ]);
    await expect(
      all(pagesOf(source(server.url), 'customer', EPOCH, { maxPages: 50, maxConsecutiveEmptyPages: 3 })),
    ).rejects.toThrow('returned page token "same" twice');
    await server.close();
  });

  it('stops on empty pages that never stop pointing to a next page', async () => {
    let n = 0;
    const server = await scriptedServer(
      Array.from({ length: 10 }, () => ({ body: { events: [], nextPageToken: `t${n++}` } })),
    );
    await expect(
      all(pagesOf(source(server.url), 'customer', EPOCH, { maxPages: 50, maxConsecutiveEmptyPages: 3 })),
    ).rejects.toThrow('3 empty pages in a row');
    await server.close();
  });

  it('reads a QuickBooks-style response through configuration alone', async () => {
    const server = await scriptedServer([
      {
        body: {
          CDCResponse: [
            {
              QueryResponse: [
                {
                  Customer: [
                    { Id: '7', MetaData: { LastUpdatedTime: '2026-11-24T10:00:00-08:00' }, DisplayName: 'Acme' },
                    { Id: '8', MetaData: { LastUpdatedTime: '2026-11-24T10:00:01-08:00' }, status: 'Deleted' },
                  ],
                },
              ],
            },
          ],
        },
      },
    ]);
    const mapping = parseMapping('customer', {
      path: '/v3/company/1/cdc',
      entityParam: 'entities',
      entityValue: 'Customer',
      sinceParam: 'changedSince',
      limitParam: undefined,
      recordsPath: 'CDCResponse.0.QueryResponse.0.Customer',
      idField: 'Id',
      timestampField: 'MetaData.LastUpdatedTime',
      opField: undefined,
      deleteWhen: { field: 'status', equals: 'Deleted' },
      dataField: undefined,
      paging: { style: 'none' },
    });
    const page = await source(server.url, [], { mapping }).fetchPage('customer', EPOCH, null);
    expect(server.requests[0]?.pathname).toBe('/v3/company/1/cdc');
    expect(Object.fromEntries(server.requests[0]?.searchParams ?? [])).toEqual({
      entities: 'Customer',
      changedSince: EPOCH,
    });
    expect(
      page.entries.map((e) => (e.kind === 'change' ? [e.change.id, e.change.op, e.change.updatedAt] : e.problem)),
    ).toEqual([
      ['7', 'UPSERT', '2026-11-24T18:00:00.000Z'],
      ['8', 'DELETE', '2026-11-24T18:00:01.000Z'],
    ]);
    await server.close();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('is a SourceError with a reason code', () => {
    expect(new SourceError('x', { retriable: true })).toMatchObject({ reason: 'SOURCE_UNAVAILABLE', retriable: true });
  });
});

describe('an error answer of the source', () => {
  const TOKEN = 'tok_0123456789abcdef0123456789abcdef';

  it.each([500, 400])(
    'is bounded in the error message and echoes neither the token, the Authorization header nor the page token (%i)',
    async (status) => {
      const echo = (url: string): string =>
        `${'padding '.repeat(10)}request GET ${url} headers {"authorization":"Bearer ${TOKEN}"} Authorization: Bearer ${TOKEN} token=${TOKEN} ${'x'.repeat(50_000)}`;
      const server = await scriptedServer([
        { body: { events: [], nextPageToken: 'page-secret-42' } },
        { status, body: echo('/cdc?entity=customer&pageToken=page-secret-42') },
      ]);
      try {
        const s = source(server.url, [], { token: TOKEN });
        await s.fetchPage('customer', EPOCH, null);
        const error = await s.fetchPage('customer', EPOCH, 'page-secret-42').catch((e: Error) => e);
        expect(error).toBeInstanceOf(SourceError);
        const message = (error as Error).message;
        expect(message).toMatch(new RegExp(`answered ${status}`));
        expect(message.length).toBeLessThan(400);
        expect(message).not.toContain(TOKEN.slice(4, 20));
        expect(message).not.toContain('page-secret-42');
      } finally {
        await server.close();
      }
    },
  );
});
