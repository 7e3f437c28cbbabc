/**
 * The bad-input catalogue (tests/helpers/bad-input-catalogue.ts) through the in-memory fallback
 * store; tests/integration/bad-input-catalogue.test.ts runs the same rows through the real
 * DynamoDB adapter on moto.
 *
 * One more row lives elsewhere: an unknown entity in the poller's event is refused by the
 * handler, naming the configured entities (tests/integration/invoke-local.test.ts, through
 * `sls invoke local`: Jest cannot load the ESM middy handler).
 */
import { InMemoryFallbackStore } from '../../../lib/fallback';
import { CATALOGUE, checkCatalogueRow, LISTED_INPUTS } from '../../helpers/bad-input-catalogue';

describe('the bad-input catalogue: what the poller does with each bad input', () => {
  it.each(CATALOGUE.map((row) => [row.input, row] as const))('%s', async (_input, row) => {
    const store = new InMemoryFallbackStore();
    await checkCatalogueRow(row, { store, parked: async () => store.events });
  });

  it('covers every input the issues list', () => {
    for (const name of LISTED_INPUTS)
      expect(`${name}: ${CATALOGUE.some((r) => r.input.includes(name)) ? 'covered' : 'missing'}`).toBe(
        `${name}: covered`,
      );
  });
});
