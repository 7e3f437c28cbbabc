import { replayCommand } from '../../../ops/cli/replay';
import { runCommand } from '../../../ops/cli/run-command';
import { runBackfill } from '../../../ops/replay/backfill';
import type { PollSummary } from '../../../lib/poller';
import { fakeStage, type FakeStage, scriptedIo } from './fakes';

const FROM = '2026-11-24T09:00:00.000Z';
const TO = '2026-11-24T10:00:00.000Z';
const WINDOW = { from: FROM, to: TO };

function slice(stoppedBecause: PollSummary['stoppedBecause'], published: number, cursor: string): PollSummary {
  const at = { updatedAt: cursor, eventIdsAtUpdatedAt: [] };
  return {
    entity: 'customer',
    window: WINDOW,
    pages: published === 0 ? 0 : 2,
    fetched: published,
    published,
    duplicates: 0,
    lateChanges: 0,
    redelivered: 0,
    parked: published === 0 ? {} : { KAFKA_UNAVAILABLE: 1 },
    checkpointBefore: at,
    checkpointAfter: at,
    stoppedBecause,
  };
}

const openWith = (stage: FakeStage) => async () => stage;
const args = (...more: string[]) => ['--stage', 'test', '--entity', 'customer', '--from', FROM, '--to', TO, ...more];

describe('npm run replay -- --to (a bounded backfill)', () => {
  it('runs the poller slice after slice until the window is done, waiting while a live run holds the entity, and says what it did', async () => {
    const stage = fakeStage();
    stage.poller.answers.push(
      slice('time budget', 40, '2026-11-24T09:20:00.000Z'),
      slice('another run is polling', 0, '2026-11-24T09:20:00.000Z'),
      slice('done', 12, '2026-11-24T09:58:00.000Z'),
    );
    const waits: number[] = [];
    const t = scriptedIo(undefined);
    const outcome = await runBackfill(
      stage.poller,
      { entity: 'customer', window: WINDOW },
      {
        onSlice: (s, n) => t.io.out(`${n} ${s.stoppedBecause}`),
        sleep: async (ms) => void waits.push(ms),
      },
    );
    expect(stage.poller.events).toEqual(Array(3).fill({ entity: 'customer', backfill: WINDOW }));
    expect(waits).toEqual([5000]);
    expect(outcome).toEqual({
      entity: 'customer',
      window: WINDOW,
      slices: 3,
      published: 52,
      parked: { KAFKA_UNAVAILABLE: 2 },
      duplicates: 0,
      cursor: TO,
    });
    expect(t.out).toEqual(['1 time budget', '2 another run is polling', '3 done']);
  });

  it('gives up waiting on an entity held for too long, saying how to go on, exit 1', async () => {
    const stage = fakeStage();
    for (let i = 0; i < 5; i += 1) stage.poller.answers.push(slice('another run is polling', 0, FROM));
    const outcome = await runBackfill(
      stage.poller,
      { entity: 'customer', window: WINDOW },
      { sleep: async () => undefined, maxWaitMs: 20_000 },
    );
    expect(outcome.unfinished).toMatch(/held by other runs for 20 s .* run the same command again/);
    expect(stage.poller.events).toHaveLength(5);
  });

  it('with --yes: the plan, each slice and the totals; the checkpoint is not touched', async () => {
    const stage = fakeStage();
    stage.poller.answers.push(slice('done', 7, '2026-11-24T09:30:00.000Z'));
    const t = scriptedIo(undefined);
    expect(await replayCommand(args('--yes'), t.io, openWith(stage))).toBe(0);
    expect(t.out[0]).toContain(`Backfill customer on stage test: the changes with ${FROM} <= updatedAt < ${TO}`);
    expect(t.out[1]).toMatch(/slice 1: 2 page\(s\), 7 published, 1 parked/);
    expect(t.out.at(-1)).toBe(
      `Backfill of customer from ${FROM} to ${TO} done: 7 published, parked 1 KAFKA_UNAVAILABLE (the retry function takes them up) in 1 slice(s).`,
    );
    expect(await stage.checkpoints.load('customer')).toBeUndefined();
  });

  it('--dry-run counts the window through the poller and changes nothing, asking nothing', async () => {
    const stage = fakeStage();
    stage.poller.answers.push({
      entity: 'customer',
      window: WINDOW,
      dryRun: true,
      pages: 3,
      changes: 41,
      keys: 39,
      malformed: 1,
      firstUpdatedAt: '2026-11-24T09:00:01.000Z',
      lastUpdatedAt: '2026-11-24T09:59:00.000Z',
      complete: true,
    });
    const t = scriptedIo(undefined);
    expect(await replayCommand(args('--dry-run'), t.io, openWith(stage))).toBe(0);
    expect(stage.poller.events).toEqual([{ entity: 'customer', backfill: { ...WINDOW, dryRun: true } }]);
    expect(t.out.join('\n')).toContain('holds\n  41 change(s) of 39 record(s)');
    expect(t.out.join('\n')).toContain('Nothing was published, parked or moved.');
    expect(t.asked).toEqual([]);
  });

  it.each([
    [['--to', '2026-11-24T08:00:00Z'], '--to: must be after --from'],
    [['--to', '2099-01-01T00:00:00Z'], '--to: 2099-01-01T00:00:00.000Z is in the future'],
    [['--to', 'tomorrow'], '--to: "tomorrow" is not an ISO-8601 time with a zone'],
  ])('refuses %j, naming --to, exit 2, and invokes nothing', async (to, message) => {
    const stage = fakeStage();
    const t = scriptedIo(undefined);
    const code = await runCommand(
      (argv, io) => replayCommand(argv, io, openWith(stage)),
      ['--stage', 'test', '--entity', 'customer', '--from', FROM, ...to, '--yes'],
      t.io,
    );
    expect(code).toBe(2);
    expect(t.err.join('\n')).toContain(message);
    expect(stage.poller.events).toEqual([]);
  });

  it('without --to, --dry-run shows the reset and changes nothing', async () => {
    const stage = fakeStage();
    await stage.checkpoints.save('customer', { updatedAt: TO, eventIdsAtUpdatedAt: [] }, undefined, 'run-1');
    const t = scriptedIo(undefined);
    expect(
      await replayCommand(
        ['--stage', 'test', '--entity', 'customer', '--from', FROM, '--dry-run'],
        t.io,
        openWith(stage),
      ),
    ).toBe(0);
    expect(t.out.at(-1)).toBe('Dry run: nothing changed.');
    expect((await stage.checkpoints.load('customer'))?.version).toBe(1);
  });
});
