import { localConfig } from '../helpers/local-stack';
import { setSourceFaults } from '../../local/demo/observe';
import { entityNames } from '../../stage/resolved-config';

const SOURCE = process.env.CDC_SOURCE_URL ?? 'http://127.0.0.1:8080';

describe('the source simulator of the local stack', () => {
  let restoreFaults: (() => Promise<void>) | undefined;
  // Well-formed pages: no fault another test or run may have left set on the shared source.
  beforeAll(async () => {
    restoreFaults = await setSourceFaults(SOURCE, { preset: 'none' });
  });
  afterAll(() => restoreFaults?.());

  it('serves every configured entity through the CDC contract', async () => {
    await fetch(`${SOURCE}/admin/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 30 }),
    });
    for (const entity of entityNames(await localConfig(), 'local')) {
      const response = await fetch(`${SOURCE}/cdc?entity=${entity}&updatedSince=1970-01-01T00:00:00.000Z&limit=5`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        entity: string;
        events: { id: string; op: string; updatedAt: string }[];
      };
      expect(page.entity).toBe(entity);
      expect(page.events.length).toBeGreaterThan(0);
      for (const e of page.events)
        expect(e).toMatchObject({
          id: expect.any(String),
          op: expect.stringMatching(/^(UPSERT|DELETE)$/),
          updatedAt: expect.stringMatching(/Z$/),
        });
    }
  });
});
