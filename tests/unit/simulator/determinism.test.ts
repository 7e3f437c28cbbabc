import { ENTITY_NAMES } from '../../../local/simulator/entities';
import type { StartSimulatorOptions } from '../../../local/simulator';
import { closeTestSimulators, EPOCH, startTestSimulator } from './simulator-harness';

const chaoticRun = (seed: number): StartSimulatorOptions => ({
  seed,
  initialEvents: 400,
  faults: { tieRate: 0.3, schemaBreakRate: 0.1, malformedRate: 0.3, updateWhilePagingRate: 0.3 },
});

async function servedRun(options: StartSimulatorOptions): Promise<unknown[]> {
  const simulator = await startTestSimulator(options);
  const pages = [];
  for (const entity of ENTITY_NAMES) pages.push(await simulator.readAllPages(entity, EPOCH, 13));
  return [pages, await simulator.state()];
}

describe('reproducibility', () => {
  afterEach(closeTestSimulators);

  test('the same seed serves identical pages and state, faults included', async () => {
    expect(await servedRun(chaoticRun(77))).toEqual(await servedRun(chaoticRun(77)));
  });

  test('another seed serves other data', async () => {
    expect(await servedRun(chaoticRun(78))).not.toEqual(await servedRun(chaoticRun(77)));
  });

  test('turning schema breaks on leaves the ids and timestamps of a run unchanged', async () => {
    const keys = async (schemaBreakRate: number) => {
      const simulator = await startTestSimulator({ seed: 5, initialEvents: 300, faults: { schemaBreakRate } });
      return (await simulator.state('invoice')).entities.invoice?.records.map(
        ({ id, updatedAt }) => `${updatedAt} ${id}`,
      );
    };
    expect(await keys(0.3)).toEqual(await keys(0));
  });

  test('POST /admin/reset with a seed reproduces a fresh start with that seed', async () => {
    const fresh = await startTestSimulator({ seed: 12 });
    await fresh.generate(200);
    const reused = await startTestSimulator({ seed: 3, initialEvents: 50 });
    await reused.admin('POST', '/admin/reset', { seed: 12 });
    await reused.generate(200);
    expect(await reused.readAllPages('payment', EPOCH, 1000)).toEqual(await fresh.readAllPages('payment', EPOCH, 1000));
  });
});
