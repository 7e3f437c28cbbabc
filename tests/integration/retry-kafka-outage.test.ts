/**
 * The retry function draining what the poller parked during a Kafka outage: this test stops and
 * restarts the shared local Kafka broker, so the suite runs this file alone
 * (STACK_WIDE_INTEGRATION_FILES). Same private pipeline as retry.test.ts.
 */
import type { PollSummary } from '../../lib/poller';
import { consumeTopic } from '../../local/demo/pipeline';
import { startService, stopService } from '../../local/stack';
import { identity, parked, runCleanups, setUp, sweepUntilEmpty } from '../helpers/retry-rig';
import { expectForwardPerKey } from '../helpers/topic-order';

afterAll(runCleanups);

describe('the retry function', () => {
  it('drains everything parked while Kafka was down once it is back: each change on Kafka exactly once, in per-key order, table empty', async () => {
    const { p, rt, sim } = await setUp();
    sim.simulator.generate(300, ['customer']);
    const expected = new Set<string>();
    const snapshot = (): void =>
      sim.simulator
        .state(['customer'])
        .entities.customer!.records.forEach((r) => expected.add(`${r.id}@${r.updatedAt}`));
    snapshot();
    const first = await (async () => {
      await stopService('kafka');
      try {
        const run = (await rt.fire('poller', { entity: 'customer' })) as PollSummary;
        // Some keys change again while Kafka is still down: parked behind their older events.
        const records = sim.simulator.state(['customer']).entities.customer!.records.filter((r) => r.op === 'UPSERT');
        sim.simulator.update(
          'customer',
          records.slice(0, 20).map((r) => r.id),
        );
        snapshot();
        await rt.fire('poller', { entity: 'customer' });
        return run;
      } finally {
        await startService('kafka');
      }
    })();
    expect(first.published).toBe(0);
    expect(first.parked.KAFKA_UNAVAILABLE).toBeGreaterThan(50);
    // Kafka is back; a third round of changes to the same keys must wait behind the parked ones.
    const records = sim.simulator.state(['customer']).entities.customer!.records.filter((r) => r.op === 'UPSERT');
    sim.simulator.update(
      'customer',
      records.slice(0, 10).map((r) => r.id),
    );
    snapshot();
    const third = (await rt.fire('poller', { entity: 'customer' })) as PollSummary;
    expect(third.parked.PARKED_BEHIND_KEY).toBe(10);
    expect((await parked(p)).length).toBeGreaterThan(50);

    await sweepUntilEmpty(rt, p);
    const { messages } = await consumeTopic(p.topic('customer'), p.registry);
    expect(messages.map(identity).sort()).toEqual([...expected].sort());
    expect(new Set(messages.map((m) => m.headers['cdc-event-id'])).size).toBe(messages.length);
    expectForwardPerKey(messages);
    expect(await parked(p)).toEqual([]);
  });
});
