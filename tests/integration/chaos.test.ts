/**
 * The reduced chaos run `npm test` includes (the full one is `npm run test:chaos`): one seed of
 * faults (Kafka killed and restarted, AWS answering 503, function processes killed, overlapping
 * pollers, a misbehaving source) on the running stack, then the topic and accounting checks.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
jest.setTimeout(12 * 60_000);

describe('npm run test:chaos -- --quick', () => {
  it('reconciles one seed of faults on the running stack', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'local/chaos/main.ts', '--quick', '--seed', '11', '--events', '600'], {
      cwd: ROOT, timeout: 11 * 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, CI: '1' },
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the chaos run failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toMatch(/seed 11: reconciled/);
    // The faults really happened: at least one Kafka kill and one AWS outage took effect.
    expect(stdout).toMatch(/^11\s+.*kafka-killed.*\breconciled$/m);
    expect(stdout).toMatch(/^11\s+.*aws-unavailable.*\breconciled$/m);
  });
});
