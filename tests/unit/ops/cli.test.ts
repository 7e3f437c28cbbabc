import { redriveStaleCommand } from '../../../ops/cli/redrive-stale';
import { replayCommand } from '../../../ops/cli/replay';
import { runCommand } from '../../../ops/cli/run-command';
import { statusCommand } from '../../../ops/cli/status';
import { parseFlags } from '../../../ops/cli/flags';
import { archiveAndAlert, InMemoryAlerts } from '../../../lib/redrive';
import { fakeStage, type FakeStage, NOW, parkedChange, scriptedIo } from './fakes';

const T30 = '2026-11-24T10:30:00.000Z';

async function stageWithCheckpoint(): Promise<FakeStage> {
  const stage = fakeStage();
  await stage.checkpoints.save('customer', { updatedAt: T30, eventIdsAtUpdatedAt: ['e1'] }, undefined, 'run-1');
  return stage;
}

const openWith = (stage: FakeStage) => async () => stage;

describe('argument parsing', () => {
  it('reads --name value, --name=value and switches', () => {
    expect(
      parseFlags(['--stage', 'dev', '--from=2026-11-24T10:00:00Z', '--yes'], {
        stage: 'string',
        from: 'string',
        yes: 'boolean',
      }),
    ).toEqual({ stage: 'dev', from: '2026-11-24T10:00:00Z', yes: true });
  });

  it('refuses an unknown option, naming it and the ones there are', () => {
    expect(() => parseFlags(['--stag', 'dev'], { stage: 'string', json: 'boolean' })).toThrow(
      '--stag: unknown argument; the options are --stage, --json',
    );
  });

  it('refuses an option without its value', () => {
    expect(() => parseFlags(['--stage', '--json'], { stage: 'string', json: 'boolean' })).toThrow(
      '--stage: needs a value',
    );
  });
});

describe('npm run replay', () => {
  it('refuses without --yes when stdin is not a terminal, and changes nothing', async () => {
    const stage = await stageWithCheckpoint();
    const t = scriptedIo(undefined);
    const code = await runCommand(
      (argv, io) => replayCommand(argv, io, openWith(stage)),
      ['--stage', 'test', '--entity', 'customer', '--from', '2026-11-24T10:00:00Z'],
      t.io,
    );
    expect(code).toBe(2);
    expect(t.err.join('\n')).toContain('stdin is not a terminal to ask on: pass --yes');
    expect((await stage.checkpoints.load('customer'))?.version).toBe(1);
    expect(stage.closed).toBe(1);
  });

  it('shows the current checkpoint and what changes, asks y/N on a terminal, and a no changes nothing', async () => {
    const stage = await stageWithCheckpoint();
    const t = scriptedIo('n');
    const code = await replayCommand(
      ['--stage', 'test', '--entity', 'customer', '--from', '2026-11-24T10:00:00Z'],
      t.io,
      openWith(stage),
    );
    expect(code).toBe(1);
    expect(t.out[0]).toContain(`checkpoint now:   ${T30} (+1 eventId(s) at that time), version 1`);
    expect(t.out[0]).toContain('after the reset:  2026-11-24T10:00:00.000Z, no eventIds at that time, version 2');
    expect(t.asked).toEqual(['Reset the checkpoint of customer on stage test to 2026-11-24T10:00:00.000Z? [y/N] ']);
    expect(t.out.at(-1)).toBe('Not confirmed: nothing changed.');
    expect((await stage.checkpoints.load('customer'))?.version).toBe(1);
  });

  it('resets after a yes on the terminal', async () => {
    const stage = await stageWithCheckpoint();
    const t = scriptedIo('y');
    expect(
      await replayCommand(
        ['--stage', 'test', '--entity', 'customer', '--from', '2026-11-24T10:00:00Z'],
        t.io,
        openWith(stage),
      ),
    ).toBe(0);
    expect(await stage.checkpoints.load('customer')).toMatchObject({
      version: 2,
      position: { updatedAt: '2026-11-24T10:00:00.000Z', eventIdsAtUpdatedAt: [] },
    });
    expect(t.out.at(-1)).toContain(
      'Checkpoint of customer reset to 2026-11-24T10:00:00.000Z, version 2 (was 2026-11-24T10:30:00.000Z, version 1).',
    );
  });

  it('resets with --yes and asks nothing', async () => {
    const stage = await stageWithCheckpoint();
    const t = scriptedIo(undefined);
    expect(
      await replayCommand(
        ['--stage', 'test', '--entity', 'customer', '--from', '2026-11-24', '--yes'],
        t.io,
        openWith(stage),
      ),
    ).toBe(0);
    expect((await stage.checkpoints.load('customer'))?.position.updatedAt).toBe('2026-11-24T00:00:00.000Z');
    expect(t.asked).toEqual([]);
  });

  it.each([
    [
      ['--entity', 'order', '--from', '2026-11-24T10:00:00Z'],
      '--entity: "order" is not an entity of stage test; its entities are: customer, invoice, payment',
    ],
    [['--entity', 'customer', '--from', '2026-11-24T12:00:01Z'], '--from: 2026-11-24T12:00:01.000Z is in the future'],
    [
      ['--entity', 'customer', '--from', '2026-11-24T10:00:00'],
      '--from: "2026-11-24T10:00:00" is not an ISO-8601 time with a zone',
    ],
    [['--entity', 'customer'], '--from: is required'],
  ])('refuses %j with a message naming the argument', async (args, message) => {
    const stage = await stageWithCheckpoint();
    const t = scriptedIo('y');
    expect(
      await runCommand(
        (argv, io) => replayCommand(argv, io, openWith(stage)),
        ['--stage', 'test', ...args, '--yes'],
        t.io,
      ),
    ).toBe(2);
    expect(t.err[0]).toContain(`error: ${message}`);
    expect((await stage.checkpoints.load('customer'))?.version).toBe(1);
  });
});

describe('npm run status', () => {
  it('prints the tables, or the same status as JSON with --json', async () => {
    const stage = await stageWithCheckpoint();
    stage.store.add(parkedChange('a', 60));
    const table = scriptedIo(undefined);
    expect(await statusCommand(['--stage', 'test'], table.io, openWith(stage))).toBe(0);
    expect(table.out[0]).toContain('cdc-pipeline status: stage test');
    const json = scriptedIo(undefined);
    expect(await statusCommand(['--stage', 'test', '--json'], json.io, openWith(stage))).toBe(0);
    const status = JSON.parse(json.out[0]!);
    expect(status).toMatchObject({
      stage: 'test',
      at: NOW.toISOString(),
      fallback: { total: 1 },
      entities: [{ entity: 'customer', lagSeconds: 5400 }, {}, {}],
      // No metrics at all: every entity's poller is silent, as its alarm would say (missing data breaches).
      health: [
        { entity: 'customer', verdict: 'ALARM', lastHeartbeat: null },
        { entity: 'invoice', verdict: 'ALARM' },
        { entity: 'payment', verdict: 'ALARM' },
      ],
    });
    expect(table.out[0]).toMatch(/Health \(judged by the alarms' thresholds\):\nENTITY +VERDICT/);
  });

  it('needs --stage', async () => {
    const t = scriptedIo(undefined);
    expect(await runCommand((argv, io) => statusCommand(argv, io, openWith(fakeStage())), [], t.io)).toBe(2);
    expect(t.err[0]).toBe('error: --stage: is required (e.g. --stage local)');
  });
});

describe('npm run redrive-stale', () => {
  async function stageWithArchive(): Promise<FakeStage> {
    const stage = fakeStage();
    stage.store.add(parkedChange('c-1', 600, { status: 'STALE', reason: 'SCHEMA_VALIDATION' }));
    await archiveAndAlert(
      {
        store: stage.store,
        archive: stage.archive,
        alerts: new InMemoryAlerts(),
        now: () => NOW,
        owner: 'sweep',
        stage: 'test',
      },
      10,
    );
    return stage;
  }

  it('--dry-run shows what it would put back and changes nothing', async () => {
    const stage = await stageWithArchive();
    const t = scriptedIo(undefined);
    expect(await redriveStaleCommand(['--stage', 'test', '--dry-run'], t.io, openWith(stage))).toBe(0);
    expect(t.out.join('\n')).toMatch(/To put back into fb as AMBIGUOUS, due now, attempts 0 \(1\):\n {2}customer c-1 /);
    expect(t.out.at(-1)).toBe('Dry run: nothing changed.');
    expect(stage.store.all).toEqual([]);
  });

  it('puts events back with --yes and says what it did; a second run finds nothing to do', async () => {
    const stage = await stageWithArchive();
    const t = scriptedIo(undefined);
    expect(await redriveStaleCommand(['--stage', 'test', '--yes'], t.io, openWith(stage))).toBe(0);
    expect(t.out.at(-1)).toContain('Put back 1 event(s) into fb.');
    expect(stage.store.all.map((i) => [i.id, i.status])).toEqual([['c-1', 'AMBIGUOUS']]);
    const again = scriptedIo(undefined);
    expect(await redriveStaleCommand(['--stage', 'test', '--yes'], again.io, openWith(stage))).toBe(0);
    expect(again.out.join('\n')).toContain('Nothing to put back.');
    expect(again.out.join('\n')).toContain('1 already-redriven');
  });

  it('refuses without --yes when stdin is not a terminal', async () => {
    const stage = await stageWithArchive();
    const t = scriptedIo(undefined);
    expect(
      await runCommand((argv, io) => redriveStaleCommand(argv, io, openWith(stage)), ['--stage', 'test'], t.io),
    ).toBe(2);
    expect(stage.store.all).toEqual([]);
  });
});
