import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckpointStore } from '../../lib/checkpoint';
import { holdEsbuildFolder } from '../helpers/esbuild-folder-lock';
import { localClientConfig, localNames } from '../helpers/local-stack';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const dynamodb = new DynamoDBClient(localClientConfig());
afterAll(() => dynamodb.destroy());

/** `npx sls invoke local` exactly as a user types it. */
async function invokeLocal(fn: string, data: unknown, env: string[] = []): Promise<{ code: number; output: string }> {
  const args = [
    'invoke',
    'local',
    '-f',
    fn,
    '--stage',
    'local',
    '--data',
    JSON.stringify(data),
    ...env.flatMap((e) => ['--env', e]),
  ];
  const child = run(path.join(ROOT, 'node_modules', '.bin', 'sls'), args, {
    cwd: ROOT,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; killed?: boolean; stdout?: string; stderr?: string };
    // A hung invoke must fail the test, not pass it as "exited non-zero".
    if (e.killed) throw new Error(`sls invoke local did not exit within 60 s:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('sls invoke local --stage local', () => {
  // .esbuild/ is one folder for every sls run: not beside cfn-lint.test.ts's `sls package`.
  let release: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    release = await holdEsbuildFolder(60_000);
  }, 70_000);
  afterEach(() => release?.());

  it("runs the real poller against the running stack and publishes the simulator's changes", async () => {
    const source = process.env.CDC_SOURCE_URL ?? 'http://127.0.0.1:8080';
    await fetch(`${source}/admin/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 30, entities: ['payment'] }),
    });
    const { code, output } = await invokeLocal('poller', { entity: 'payment' });
    expect(code).toBe(0);
    expect(output).toContain('"entity": "payment"');
    expect(Number(/"published": (\d+)/.exec(output)?.[1])).toBeGreaterThan(0);
  });

  it('npm run replay -- --to … --dry-run counts a window through the real poller (sls invoke local), asking nothing and moving no checkpoint', async () => {
    const checkpoints = new DynamoDbCheckpointStore(dynamodb, (await localNames()).checkpointTable);
    const before = await checkpoints.load('payment');
    const to = new Date(Date.now() - 1000).toISOString();
    const { stdout } = await run(
      'npm',
      [
        'run',
        '-s',
        'replay',
        '--',
        '--stage',
        'local',
        '--entity',
        'payment',
        '--from',
        '2000-01-01T00:00:00Z',
        '--to',
        to,
        '--dry-run',
      ],
      { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain(
      `Dry run: the window 2000-01-01T00:00:00.000Z <= updatedAt < ${to} of payment on stage local holds`,
    );
    expect(Number(/holds\n {2}(\d+) change\(s\)/.exec(stdout)?.[1])).toBeGreaterThan(0);
    expect(stdout).toContain('Nothing was published, parked or moved.');
    expect(await checkpoints.load('payment')).toEqual(before);
  });

  it('fails at cold start naming a bad setting passed with --env', async () => {
    const { code, output } = await invokeLocal('consumer', { eventSource: 'aws:kafka', records: {} }, [
      'KAFKA_BROKERS=no-port-here',
    ]);
    expect(code).not.toBe(0);
    expect(output).toContain('configuration KAFKA_BROKERS: "no-port-here" is not host:port');
  });

  it('rejects an event for an entity that is not configured', async () => {
    const { code, output } = await invokeLocal('poller', { entity: 'unicorn' });
    expect(code).not.toBe(0);
    expect(output).toContain('"errorType": "BadRequestError"');
    expect(output).toContain('one of: customer, invoice, payment');
  });
});
