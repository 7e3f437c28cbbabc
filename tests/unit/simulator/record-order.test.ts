import { closeTestSimulators, startTestSimulator } from './simulator-harness';

afterEach(closeTestSimulators);

describe("each record's updatedAt", () => {
  it('increases with every change of that record, even inside runs of tied timestamps', async () => {
    const { running } = await startTestSimulator({ seed: 7, faults: { tieRate: 0.9 } });
    const last = new Map<string, { updatedAt: string; version: string }>();
    let ties = 0;
    let changed = 0;
    for (let i = 0; i < 1500; i += 1) {
      running.simulator.generate(1);
      const { entities } = running.simulator.state();
      const times = new Set<string>();
      for (const [entity, state] of Object.entries(entities)) {
        for (const record of state!.records) {
          const key = `${entity}/${record.id}`;
          const version = JSON.stringify([record.op, record.updatedAt, record.data]);
          const before = last.get(key);
          if (before !== undefined && before.version !== version) {
            changed += 1;
            expect(
              `${key} ${record.updatedAt > before.updatedAt ? 'later' : `not later: ${before.updatedAt} then ${record.updatedAt}`}`,
            ).toBe(`${key} later`);
          }
          last.set(key, { updatedAt: record.updatedAt, version });
          if (times.has(record.updatedAt)) ties += 1;
          times.add(record.updatedAt);
        }
      }
    }
    // The run really had ties and repeated changes of the same records.
    expect(ties).toBeGreaterThan(100);
    expect(changed).toBeGreaterThan(100);
  });
});
