import { type CheckpointStore, InMemoryCheckpointStore, type Position } from '../../../lib/checkpoint';
import { InMemoryFallbackStore } from '../../../lib/fallback';
import { createLogger } from '../../../lib/log';
import { type PollSummary, pollEntity } from '../../../lib/poller';
import { InMemoryPublisher } from '../../../lib/publish';
import { InMemorySchemaRegistry, SchemaCache } from '../../../lib/registry';
import { GlueAvroSerde } from '../../../lib/serde';
import type { Source, SourcePage } from '../../../lib/source';
import { CheckpointMovedError, UsageError } from '../../../ops/errors';
import { applyReplay, planReplay } from '../../../ops/replay/replay';
import { formatReplayPlan } from '../../../ops/replay/format-replay';
import { customerChange, schemaFile } from '../../helpers/schemas';
import { withSave } from '../../helpers/checkpoints';
import { NOW } from './fakes';

const at = (minute: number): string => new Date(Date.parse('2026-11-24T10:00:00.000Z') + minute * 60_000).toISOString();
const position = (updatedAt: string, ids: string[] = []): Position => ({ updatedAt, eventIdsAtUpdatedAt: ids });

/** A source of one change per minute (c-0 at 10:00, c-1 at 10:01, …), `pageSize` per page, updatedSince inclusive. */
function minuteSource(count: number, pageSize: number): Source {
  const changes = Array.from({ length: count }, (_, i) => ({
    id: `c-${i}`,
    op: 'UPSERT' as const,
    updatedAt: at(i),
    data: customerChange({}, { id: `c-${i}` }).data as Record<string, unknown>,
  }));
  return {
    fetchPage: async (_entity, since, token): Promise<SourcePage> => {
      const from = changes.filter((c) => c.updatedAt >= since);
      const offset = Number(token ?? 0);
      const next = offset + pageSize < from.length ? String(offset + pageSize) : null;
      return {
        entries: from.slice(offset, offset + pageSize).map((change) => ({ kind: 'change' as const, change })),
        nextPageToken: next,
      };
    },
  };
}

function poller(checkpoints: CheckpointStore, source: Source) {
  const registry = new InMemorySchemaRegistry();
  registry.seed('cdc.customer', schemaFile('customer'));
  const publisher = new InMemoryPublisher();
  const deps = {
    source,
    checkpoints,
    publisher,
    fallback: new InMemoryFallbackStore(),
    log: createLogger({}, () => undefined),
    serde: new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 })),
  };
  return {
    publisher,
    run: (runId: string): Promise<PollSummary> =>
      pollEntity(deps, {
        entity: 'customer',
        topic: 'cdc.customer',
        schemaName: 'cdc.customer',
        compression: 'none',
        runId,
        leaseMs: 60_000,
        limits: { maxPages: 1000, maxConsecutiveEmptyPages: 3 },
        outOfTime: () => false,
      }),
    publishedIds: () => publisher.sent.map((s) => s.message.key),
  };
}

describe('replay: planning', () => {
  it('plans a reset to the time given, with no eventIds at it, from the version it read', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('customer', position(at(30), ['e1']), undefined, 'run-1');
    const plan = await planReplay(checkpoints, { entity: 'customer', from: new Date(at(10)) }, NOW);
    expect(plan).toMatchObject({
      entity: 'customer',
      from: at(10),
      current: { version: 1, position: position(at(30), ['e1']) },
      target: position(at(10)),
    });
    expect(formatReplayPlan(plan, 'test', NOW)).toContain(
      'Changes Kafka already has are published again. That is harmless: consumers de-duplicate by eventId',
    );
  });

  it('refuses a time in the future, naming --from', async () => {
    const plan = planReplay(
      new InMemoryCheckpointStore(),
      { entity: 'customer', from: new Date(NOW.getTime() + 60_000) },
      NOW,
    );
    await expect(plan).rejects.toThrow(UsageError);
    await expect(plan).rejects.toThrow(/^--from: 2026-11-24T12:01:00.000Z is in the future/);
  });

  it('refuses a time after the checkpoint: that would skip changes, not replay them', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('customer', position(at(30)), undefined, 'run-1');
    await expect(planReplay(checkpoints, { entity: 'customer', from: new Date(at(31)) }, NOW)).rejects.toThrow(
      /after the checkpoint of customer .* would skip changes/,
    );
  });

  it('plans a first checkpoint for an entity never polled', async () => {
    const plan = await planReplay(new InMemoryCheckpointStore(), { entity: 'customer', from: new Date(at(0)) }, NOW);
    expect(plan.current).toBeUndefined();
  });
});

describe('replay: the reset', () => {
  it('moves the checkpoint back and bumps its version, recording who did it', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('customer', position(at(30)), undefined, 'run-1');
    const plan = await planReplay(checkpoints, { entity: 'customer', from: new Date(at(10)) }, NOW);
    const outcome = await applyReplay(checkpoints, plan, 'ops-replay by me');
    expect(outcome.after).toMatchObject({ version: 2, position: position(at(10)), savedBy: 'ops-replay by me' });
    expect(await checkpoints.load('customer')).toMatchObject({ version: 2, position: position(at(10)) });
  });

  it('retries over a run that saved a newer position meanwhile', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('customer', position(at(30)), undefined, 'run-1');
    const plan = await planReplay(checkpoints, { entity: 'customer', from: new Date(at(10)) }, NOW);
    await checkpoints.save('customer', position(at(31)), 1, 'run-2');
    const outcome = await applyReplay(checkpoints, plan, 'ops');
    expect(outcome.before?.position.updatedAt).toBe(at(31));
    expect(await checkpoints.load('customer')).toMatchObject({ version: 3, position: position(at(10)) });
  });

  it('refuses when the checkpoint moved behind the replay time meanwhile (another reset), changing nothing', async () => {
    const checkpoints = new InMemoryCheckpointStore();
    await checkpoints.save('customer', position(at(30)), undefined, 'run-1');
    const plan = await planReplay(checkpoints, { entity: 'customer', from: new Date(at(10)) }, NOW);
    await checkpoints.save('customer', position(at(5)), 1, 'someone else');
    await expect(applyReplay(checkpoints, plan, 'ops')).rejects.toThrow(CheckpointMovedError);
    expect(await checkpoints.load('customer')).toMatchObject({ version: 2, position: position(at(5)) });
  });

  it('a poller run in flight during the reset stops at its next save and cannot write its older-run position over the reset', async () => {
    const store = new InMemoryCheckpointStore();
    const first = poller(store, minuteSource(40, 10));
    await first.run('run-1');
    expect((await store.load('customer'))?.position.updatedAt).toBe(at(39));

    // A run starts from the current checkpoint; the reset lands right after its first page's save.
    const more = poller(store, minuteSource(60, 5));
    let reset = false;
    const hooked = withSave(store, async (entity, next, version, runId) => {
      const saved = await store.save(entity, next, version, runId);
      if (!reset) {
        reset = true;
        await applyReplay(store, await planReplay(store, { entity: 'customer', from: new Date(at(20)) }, NOW), 'ops');
      }
      return saved;
    });
    const inFlight = await poller(hooked, minuteSource(60, 5)).run('run-2');
    expect(inFlight.stoppedBecause).toBe('another run is ahead');
    expect(await store.load('customer')).toMatchObject({ position: position(at(20)), savedBy: 'ops' });

    // The next run re-publishes from the reset time on, and nothing before it.
    const after = await more.run('run-3');
    expect(after.checkpointBefore).toEqual(position(at(20)));
    expect(more.publishedIds()).toEqual(Array.from({ length: 40 }, (_, i) => `c-${i + 20}`));
  });
});
