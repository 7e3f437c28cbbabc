import { closeTestSimulators, EPOCH, startTestSimulator, type CdcQueryParams } from './simulator-harness';

const TOKEN = 'test-token-5f1c';
const validQuery: CdcQueryParams = { entity: 'customer', updatedSince: EPOCH };

describe('HTTP contract of the source simulator', () => {
  afterEach(closeTestSimulators);

  test('requires the configured bearer token on /cdc and /admin, answering 401 otherwise', async () => {
    const simulator = await startTestSimulator({ token: TOKEN, initialEvents: 10 });
    const missing = await simulator.fetchCdc(validQuery, {});
    const wrong = await simulator.fetchCdc(validQuery, { authorization: 'Bearer not-the-token' });
    const admin = await fetch(`${simulator.url}/admin/state`);
    expect([missing.status, wrong.status, admin.status]).toEqual([401, 401, 401]);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toEqual({ error: expect.stringContaining('Bearer') });
    expect((await simulator.fetchCdc(validQuery)).status).toBe(200);
  });

  test('needs no Authorization header when no token is configured', async () => {
    const simulator = await startTestSimulator({ initialEvents: 10 });
    expect((await simulator.fetchCdc(validQuery, {})).status).toBe(200);
  });

  test('answers GET /health with 200 without a token', async () => {
    const simulator = await startTestSimulator({ token: TOKEN });
    const response = await fetch(`${simulator.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test.each<[string, CdcQueryParams, string]>([
    ['a missing entity', { updatedSince: EPOCH }, 'entity is required'],
    ['an unknown entity', { entity: 'order', updatedSince: EPOCH }, 'unknown entity "order"'],
    ['a missing updatedSince', { entity: 'customer' }, 'updatedSince is required'],
    ['an unparseable updatedSince', { entity: 'customer', updatedSince: 'yesterday' }, 'updatedSince "yesterday"'],
    [
      'an impossible date',
      { entity: 'customer', updatedSince: '2026-02-30T00:00:00.000Z' },
      'updatedSince "2026-02-30',
    ],
    ['a zero limit', { ...validQuery, limit: 0 }, 'limit must be an integer from 1 to 1000'],
    ['a limit over 1000', { ...validQuery, limit: 1001 }, 'limit must be an integer from 1 to 1000'],
    ['a non-numeric limit', { ...validQuery, limit: 'ten' }, 'limit must be an integer'],
    [
      'a forged pageToken',
      { ...validQuery, pageToken: 'bm90LWEtdG9rZW4' },
      'pageToken is not a token this server issued',
    ],
  ])('answers 400 with a message for %s', async (_case, query, message) => {
    const simulator = await startTestSimulator();
    const response = await simulator.fetchCdc(query);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringContaining(message) });
  });

  test('answers 400 when a pageToken is sent with another entity than the one it was issued for', async () => {
    const simulator = await startTestSimulator({ initialEvents: 100 });
    const page = await simulator.readPage({ ...validQuery, limit: 2 });
    const response = await simulator.fetchCdc({ entity: 'invoice', pageToken: page.nextPageToken ?? '' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringContaining('pageToken belongs to entity "customer"') });
  });

  test('accepts updatedSince with a zone offset, comparing instants', async () => {
    const simulator = await startTestSimulator({ initialEvents: 100 });
    const utc = await simulator.readPage({ entity: 'invoice', updatedSince: '2026-01-01T00:01:00.000Z' });
    const offset = await simulator.readPage({ entity: 'invoice', updatedSince: '2026-01-01T01:01:00.000+01:00' });
    expect(offset.events).toEqual(utc.events);
  });

  test('answers 404 for an unknown path and 405 for a wrong method', async () => {
    const simulator = await startTestSimulator();
    expect((await fetch(`${simulator.url}/changes`)).status).toBe(404);
    const wrongMethod = await fetch(`${simulator.url}/cdc`, { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toEqual({ error: expect.stringContaining('use GET') });
  });
});
