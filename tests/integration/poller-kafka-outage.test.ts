/**
 * The poller core through Kafka outages: these tests stop and restart the shared local Kafka
 * broker, so the suite runs this file alone (STACK_WIDE_INTEGRATION_FILES). Same rig as
 * poller.test.ts.
 */
import type { FallbackStore } from '../../lib/fallback';
import { consumeTopic } from '../../local/demo/pipeline';
import { startService, stopService } from '../../local/stack';
import {
  CHECKPOINT_STORES,
  ENTITY,
  PAGE,
  afterSave,
  closeRigs,
  current,
  identity,
  parkedItems,
  rig,
} from '../helpers/poller-rig';
import { expectForwardPerKey } from '../helpers/topic-order';
import { collectStatus, resolveStage } from '../../ops';
import { localConfig } from '../helpers/local-stack';
import { waitFor } from '../helpers/runtime';

async function withKafkaRestoredAfter<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await startService('kafka');
  }
}

afterAll(closeRigs);

describe('the poller against the local stack', () => {
  it.each(CHECKPOINT_STORES)(
    'checkpoints in %s: parks every unpublished event as RETRIABLE when Kafka stops mid-run, the checkpoint covers only handed-off events, and status puts the aging backlog in ALARM',
    async (store) => {
      const r = await rig({ tieRate: 0.3 }, 11, store);
      r.sim.simulator.generate(600, [ENTITY]);
      const total = current(r).records.length;
      const started = Date.now();
      const summary = await withKafkaRestoredAfter(() =>
        r.run({ checkpoints: afterSave([], { 3: () => stopService('kafka') }) }),
      );
      const seconds = (Date.now() - started) / 1000;
      expect(summary.stoppedBecause).toBe('done');
      expect(summary.published).toBe(3 * PAGE);
      expect(summary.parked).toEqual({ KAFKA_UNAVAILABLE: total - 3 * PAGE });
      expect(seconds).toBeLessThan(60); // the pause after a failure keeps each parked page from waiting on timeouts

      const parked = await parkedItems(r);
      expect(parked.every((p) => p.status === 'RETRIABLE' && p.reason === 'KAFKA_UNAVAILABLE')).toBe(true);
      const { messages } = await consumeTopic(r.topic, r.registry);
      const onKafka = new Set(messages.map((m) => identity(m.value)));
      const inTable = new Set(parked.map(identity));
      const records = current(r).records;
      expect(records.filter((x) => !onKafka.has(identity(x)) && !inTable.has(identity(x)))).toEqual([]);
      expect([...onKafka].filter((x) => inTable.has(x))).toEqual([]);
      expect((await r.checkpoints.load(ENTITY))?.position.updatedAt).toBe(
        records
          .map((x) => x.updatedAt)
          .sort()
          .at(-1),
      );

      // npm run status judges the parked backlog as its alarm would: once its oldest event has
      // waited past alarmBacklogAgeSeconds (2 s here), the entity is in ALARM for it.
      const local = await resolveStage('local', { config: await localConfig() });
      const stage = { ...local, fallbackTable: r.fallbackTable, health: { ...local.health, backlogAgeSeconds: 2 } };
      await waitFor(
        'the backlog to age past its threshold in status',
        async () => {
          const health = (await collectStatus(stage)).health.find((h) => h.entity === ENTITY)!;
          return health.findings.some((f) => /^ALARM: fallback backlog age \d+ s, over 2 s$/.test(f))
            ? health
            : undefined;
        },
        30_000,
      );
    },
  );

  it('does not move the checkpoint over events that are neither on Kafka nor parked, and the next run delivers them', async () => {
    const r = await rig();
    r.sim.simulator.generate(200, [ENTITY]);
    // Kafka goes down before page 3, and parking that page fails too (the table throttles).
    const failingPark = (inner: FallbackStore): FallbackStore => ({
      openKeys: (e, limit) => inner.openKeys(e, limit),
      openStatusesOf: (e, ids) => inner.openStatusesOf(e, ids),
      supersedeAmbiguous: (e, id, at) => inner.supersedeAmbiguous(e, id, at),
      park: async () => {
        throw new Error('ProvisionedThroughputExceededException (injected)');
      },
    });
    const error = await withKafkaRestoredAfter(() =>
      r
        .run({
          fallback: failingPark,
          checkpoints: afterSave([], { 2: () => stopService('kafka') }),
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    expect(String(error)).toContain('injected');
    const { messages: sofar } = await consumeTopic(r.topic, r.registry);
    expect(sofar).toHaveLength(2 * PAGE);
    expect(await parkedItems(r)).toEqual([]);
    expect((await r.checkpoints.load(ENTITY))?.position.updatedAt).toBe(
      sofar
        .map((m) => String(m.value.updatedAt))
        .sort()
        .at(-1),
    );

    const next = await r.run();
    expect(next.stoppedBecause).toBe('done');
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(current(r).records.map(identity).sort());
  });

  it('when Kafka comes back mid-run, parks the newer events of keys with RETRIABLE events behind them and publishes other keys', async () => {
    const r = await rig();
    r.sim.simulator.generate(300, [ENTITY]);
    const total = current(r).records.length;
    let parkedEarly: string[] = [];
    let moved: string[] = [];
    const summary = await withKafkaRestoredAfter(async () => {
      await stopService('kafka');
      return r.run({
        checkpoints: afterSave([], {
          // Pages 1-3 are parked while Kafka is down; then some of those keys change and Kafka returns.
          3: async () => {
            parkedEarly = (await parkedItems(r)).map((p) => p.id);
            expect(parkedEarly).toHaveLength(3 * PAGE);
            moved = current(r)
              .records.filter((x) => parkedEarly.includes(x.id) && x.op === 'UPSERT')
              .map((x) => x.id);
            expect(r.sim.simulator.update(ENTITY, moved)).toBe(moved.length);
            await startService('kafka');
            await new Promise((resolve) => setTimeout(resolve, 1100)); // past the publisher's pause
          },
        }),
      });
    });
    expect(moved.length).toBeGreaterThan(3);
    expect(summary.parked).toEqual({ KAFKA_UNAVAILABLE: 3 * PAGE, PARKED_BEHIND_KEY: moved.length });
    expect(summary.published).toBe(total - 3 * PAGE);
    const parked = await parkedItems(r);
    const behind = parked.filter((p) => p.reason === 'PARKED_BEHIND_KEY');
    expect(behind.map((p) => p.id).sort()).toEqual(moved.sort());
    expect(behind.every((p) => p.status === 'RETRIABLE')).toBe(true);
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.filter((m) => parkedEarly.includes(m.key))).toEqual([]);
    expect(messages).toHaveLength(total - 3 * PAGE);
    expectForwardPerKey(messages);
  });
});
