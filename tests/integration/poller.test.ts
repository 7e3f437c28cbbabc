/**
 * The poller core against the real parts: the bundled source simulator over HTTP, Kafka, and
 * DynamoDB, S3 and the Glue Schema Registry on moto. Each test owns copies of the checkpoint
 * and fallback tables and its own topic. The tests that stop Kafka are in
 * poller-kafka-outage.test.ts.
 */
import type { Position } from '../../lib/checkpoint';
import type { PollSummary } from '../../lib/poller';
import { consumeTopic } from '../../local/demo/pipeline';
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

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

afterAll(closeRigs);

describe('the poller against the local stack', () => {
  it.each(CHECKPOINT_STORES)(
    'checkpoints in %s: puts every change on Kafka exactly once through heavy ties, ties across page boundaries and runs that end inside a tie',
    async (store) => {
      const r = await rig({ tieRate: 0.85 }, 11, store);
      // A record's changes never share a time, so ties are between records: 800 changes give ~370 of them.
      r.sim.simulator.generate(800, [ENTITY]);
      const ties = countBy(current(r).records, (x) => x.updatedAt);
      expect(Math.max(...ties.values())).toBeGreaterThan(PAGE); // some tie spans at least one page boundary
      // Runs of five pages each (a time budget), so most runs end inside a tie and the next
      // re-queries that timestamp inclusively.
      const pagesPerRun = (): (() => boolean) => {
        let pages = 0;
        return () => pages++ >= 5;
      };
      const runs: PollSummary[] = [];
      do runs.push(await r.run({ outOfTime: pagesPerRun() }));
      while (runs.at(-1)!.stoppedBecause === 'time budget' && runs.length < 100);
      expect(runs.at(-1)!.stoppedBecause).toBe('done');
      expect(runs.length).toBeGreaterThan(3);
      expect(
        runs.some((x) => x.checkpointAfter.eventIdsAtUpdatedAt.length > 1 && x.stoppedBecause === 'time budget'),
      ).toBe(true); // a run ended inside a tie
      expect(runs.reduce((n, x) => n + x.duplicates, 0)).toBeGreaterThan(0); // and the next one skipped what it had handed off

      const { messages, undecodable } = await consumeTopic(r.topic, r.registry);
      expect(undecodable).toEqual([]);
      const expected = current(r).records.map(identity).sort();
      expect(messages.map((m) => identity(m.value)).sort()).toEqual(expected);
      expect(new Set(messages.map((m) => m.headers['cdc-event-id'])).size).toBe(messages.length);
      expect(runs.reduce((n, x) => n + x.published, 0)).toBe(expected.length);
      expect((await r.checkpoints.load(ENTITY))?.position.updatedAt).toBe(
        current(r)
          .records.map((x) => x.updatedAt)
          .sort()
          .at(-1),
      );
    },
  );

  it.each(CHECKPOINT_STORES)(
    'checkpoints in %s: with a lookback window, every change the source commits late (stamped before the checkpoint) is on Kafka exactly once; without one, those behind the checkpoint are missed',
    async (store) => {
      const topicOf = async (lookbackMs: number) => {
        const r = await rig({ lateCommitRate: 0.25, lateCommitMs: 1500, tieRate: 0.3 }, 23, store);
        r.sim.simulator.generate(300, [ENTITY]);
        const runs = [await r.run({ lookbackMs })];
        await new Promise((resolve) => setTimeout(resolve, 1700));
        runs.push(await r.run({ lookbackMs }), await r.run({ lookbackMs }));
        const { messages } = await consumeTopic(r.topic, r.registry);
        return {
          r,
          runs,
          onTopic: messages.map((m) => identity(m.value)),
          ids: messages.map((m) => m.headers['cdc-event-id']),
        };
      };
      const on = await topicOf(3_600_000);
      expect(on.runs[1]!.lateChanges).toBeGreaterThan(0);
      expect(on.runs[2]!.published).toBe(0);
      expect(new Set(on.ids).size).toBe(on.ids.length);
      // The source's every record, in its latest version, is on the topic: nothing committed late was lost.
      const latest = current(on.r).records.map(identity);
      expect(latest.filter((x) => !on.onTopic.includes(x))).toEqual([]);

      const off = await topicOf(0);
      const missed = current(off.r).records.filter((x) => !off.onTopic.includes(identity(x)));
      expect(missed.length).toBeGreaterThan(0);
      // Each missed change is one stamped before the checkpoint run 1 left: the late commits it had passed.
      const checkpoint = off.runs[0]!.checkpointAfter.updatedAt;
      expect(missed.filter((x) => x.updatedAt >= checkpoint).map(identity)).toEqual([]);
      expect(off.runs.reduce((n, x) => n + x.lateChanges, 0)).toBe(0);
    },
  );

  it('parks schema-breaking and malformed records with their reason and field paths, publishes the rest, and supersedes them with a later valid change', async () => {
    const r = await rig({ schemaBreakRate: 0.1, malformedRate: 0.5 });
    r.sim.simulator.generate(600, [ENTITY]);
    const summary = await r.run();
    const state = current(r);
    const broken = state.records.filter((x) => x.broken === 'SCHEMA');
    expect(broken.length).toBeGreaterThan(3);
    expect(state.malformedServed.length).toBeGreaterThan(3);
    expect(summary.parked).toEqual({ SCHEMA_VALIDATION: broken.length, MALFORMED_EVENT: state.malformedServed.length });

    const parked = await parkedItems(r);
    for (const b of broken) {
      const item = parked.find((p) => p.id === b.id && p.updatedAt === b.updatedAt);
      expect(item).toMatchObject({ status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION' });
      // The simulator says which field it broke; the parked item names that path.
      expect(item!.violations!.map((v) => v.path).join(' ')).toContain(String(b.schemaBreak!.path));
    }
    expect(
      parked.filter((p) => p.reason === 'MALFORMED_EVENT').every((p) => p.status === 'AMBIGUOUS' && p.error.length > 0),
    ).toBe(true);
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(
      state.records
        .filter((x) => x.broken === null)
        .map(identity)
        .sort(),
    );

    r.sim.simulator.setFaults({ schemaBreakRate: 0, malformedRate: 0 });
    expect(
      r.sim.simulator.update(
        ENTITY,
        broken.map((b) => b.id),
      ),
    ).toBe(broken.length);
    const again = await r.run();
    expect(again.published).toBe(broken.length);
    const after = await parkedItems(r);
    for (const b of broken)
      expect(after.find((p) => p.id === b.id && p.updatedAt === b.updatedAt)?.status).toBe('SUPERSEDED');
    const finalTopic = await consumeTopic(r.topic, r.registry);
    expectForwardPerKey(finalTopic.messages);
    expect(finalTopic.messages.filter((m) => broken.some((b) => b.id === m.key))).toHaveLength(broken.length);
  });

  it.each(CHECKPOINT_STORES)(
    'checkpoints in %s: two pollers started at once on one entity: one reads, the other stops before reading (the lease); each change once, the checkpoint never regresses',
    async (store) => {
      const r = await rig({ tieRate: 0.5, slowMs: 40, slowRate: 1 }, 11, store);
      r.sim.simulator.generate(300, [ENTITY]);
      const saved: Position[] = [];
      const [a, b] = await Promise.all([
        r.run({ runId: 'a', checkpoints: afterSave(saved) }),
        r.run({ runId: 'b', checkpoints: afterSave(saved) }),
      ]);
      expect([a, b].map((x) => x.stoppedBecause).sort()).toEqual(['another run is polling', 'done']);
      expect([a, b].find((x) => x.stoppedBecause === 'another run is polling')).toMatchObject({
        pages: 0,
        fetched: 0,
        published: 0,
      });
      for (let i = 1; i < saved.length; i += 1) expect(saved[i]!.updatedAt >= saved[i - 1]!.updatedAt).toBe(true);

      const { messages } = await consumeTopic(r.topic, r.registry);
      const perEvent = countBy(messages, (m) => m.headers['cdc-event-id']!);
      expect([...perEvent.values()].filter((n) => n > 1)).toEqual([]);
      expect([...new Set(messages.map((m) => identity(m.value)))].sort()).toEqual(
        current(r).records.map(identity).sort(),
      );
      expectForwardPerKey(messages);
    },
  );

  it.each(CHECKPOINT_STORES)(
    'checkpoints in %s: a bounded backfill beside live polling re-publishes its window without moving the checkpoint, and no key goes back in time',
    async (store) => {
      const r = await rig({ tieRate: 0.3 }, 29, store);
      r.sim.simulator.generate(300, [ENTITY]);
      await r.run({ runId: 'live-0' });
      const times = current(r)
        .records.map((x) => x.updatedAt)
        .sort();
      const window = { from: times[Math.floor(times.length * 0.15)]!, to: times[Math.floor(times.length * 0.85)]! };
      const inWindowAtStart = current(r).records.filter((x) => x.updatedAt >= window.from && x.updatedAt < window.to);

      // The source keeps changing (records of the window among them) and the schedule keeps
      // polling, while the backfill goes through the window in slices of two pages.
      const updated = new Set<string>();
      const live = (async () => {
        for (let i = 1; i <= 8; i += 1) {
          const ids = inWindowAtStart.slice(i * 5, i * 5 + 2).map((x) => x.id);
          for (const id of ids) updated.add(id);
          r.sim.simulator.update(ENTITY, ids);
          r.sim.simulator.generate(10, [ENTITY]);
          await r.run({ runId: `live-${i}` });
        }
      })();
      const slices: PollSummary[] = [];
      const backfill = (async () => {
        while (slices.at(-1)?.stoppedBecause !== 'done' && slices.length < 200) {
          let pages = 0;
          slices.push(
            await r.run({ runId: `backfill-${slices.length}`, backfill: window, outOfTime: () => pages++ >= 2 }),
          );
          if (slices.at(-1)!.stoppedBecause === 'another run is polling') await new Promise((ok) => setTimeout(ok, 20));
        }
      })();
      await Promise.all([live, backfill]);
      const last = await r.run({ runId: 'live-last' });
      expect(slices.at(-1)!.stoppedBecause).toBe('done');
      expect(slices.filter((x) => x.stoppedBecause === 'time budget').length).toBeGreaterThan(0);

      const { messages } = await consumeTopic(r.topic, r.registry);
      expectForwardPerKey(messages);
      // The live runs sent each change once: what is there twice is the backfill's re-sends, as many
      // as it published, each a change of its window (same eventId, so downstream keeps one).
      const published = slices.reduce((n, x) => n + x.published, 0);
      expect(published).toBeLessThanOrEqual(inWindowAtStart.length);
      const perEvent = countBy(messages, (m) => m.headers['cdc-event-id']!);
      const twice = messages.filter(
        (m, i) =>
          perEvent.get(m.headers['cdc-event-id']!) === 2 &&
          messages.findIndex((n) => n.headers['cdc-event-id'] === m.headers['cdc-event-id']) === i,
      );
      expect([...perEvent.values()].filter((n) => n > 2)).toEqual([]);
      expect(twice).toHaveLength(published);
      // Each record of the window that did not change meanwhile is among them; one that changed is
      // there or not, as the source had it when the backfill read it.
      const latest = new Map(current(r).records.map((x) => [x.id, x.updatedAt]));
      const unchanged = inWindowAtStart.filter((x) => latest.get(x.id) === x.updatedAt).map(identity);
      expect(updated.size).toBeGreaterThan(0);
      expect(unchanged.length).toBeGreaterThan(inWindowAtStart.length / 2);
      const resent = new Set(twice.map((m) => identity(m.value)));
      expect(unchanged.filter((x) => !resent.has(x))).toEqual([]);
      expect(
        twice.filter((m) => !(String(m.value.updatedAt) >= window.from && String(m.value.updatedAt) < window.to)),
      ).toEqual([]);
      // Every source record's latest version is on the topic, and the checkpoint is the live runs' alone.
      const onTopic = new Set(messages.map((m) => identity(m.value)));
      expect(
        current(r)
          .records.map(identity)
          .filter((x) => !onTopic.has(x)),
      ).toEqual([]);
      const checkpoint = await r.checkpoints.load(ENTITY);
      expect(checkpoint?.savedBy).toMatch(/^live-/);
      expect(last.checkpointAfter.updatedAt).toBe(
        current(r)
          .records.map((x) => x.updatedAt)
          .sort()
          .at(-1),
      );
    },
  );

  it('backs off through 429 and 5xx storms and completes', async () => {
    const r = await rig({ rate429: 0.3, retryAfterSeconds: 0, rate5xx: 0.2 });
    r.sim.simulator.generate(400, [ENTITY]);
    const summary = await r.run();
    expect(summary.stoppedBecause).toBe('done');
    const counters = r.sim.simulator.state([ENTITY]).counters.responsesByStatus;
    expect(
      (counters['429'] ?? 0) +
        Object.entries(counters)
          .filter(([s]) => s.startsWith('5'))
          .reduce((n, [, c]) => n + c, 0),
    ).toBeGreaterThan(5);
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(current(r).records.map(identity).sort());
  });

  it('stops cleanly at its time budget during a slow storm, then a later run finishes with nothing lost or repeated', async () => {
    const r = await rig({ rate5xx: 0.3, slowMs: 100, slowRate: 1 });
    r.sim.simulator.generate(600, [ENTITY]);
    const deadline = Date.now() + 1000;
    const first = await r.run({ outOfTime: () => Date.now() > deadline });
    expect(first.stoppedBecause).toBe('time budget');
    expect(first.fetched).toBeLessThan(current(r).records.length);
    const { messages: sofar } = await consumeTopic(r.topic, r.registry);
    expect(sofar).toHaveLength(first.published);
    expect(first.checkpointAfter.updatedAt).toBe(
      sofar
        .map((m) => String(m.value.updatedAt))
        .sort()
        .at(-1),
    );

    r.sim.simulator.setFaults({ rate5xx: 0, slowMs: 0 });
    const second = await r.run();
    expect(second.stoppedBecause).toBe('done');
    const { messages } = await consumeTopic(r.topic, r.registry);
    expect(messages.map((m) => identity(m.value)).sort()).toEqual(current(r).records.map(identity).sort());
  });
});
