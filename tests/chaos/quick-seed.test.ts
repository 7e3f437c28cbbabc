/**
 * The quick chaos run `npm run test:chaos` starts with, before its full seeds: one seed of
 * faults on the running stack (Kafka killed, its restart stalling while the backlog drains, Kafka
 * frozen, AWS answering 503, moto "restarting" (answers lost, connections reset), function processes killed, overlapping pollers, a misbehaving source),
 * then the topic and accounting checks. Seed 13 is the one that caught kafkajs losing a re-send
 * when the publisher let sends overlap.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
jest.setTimeout(12 * 60_000);

describe('npm run test:chaos -- --quick', () => {
  it('reconciles one seed of faults on the running stack', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'local/chaos/main.ts', '--quick', '--seed', '13', '--events', '600'],
      {
        cwd: ROOT,
        timeout: 11 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, CI: '1' },
      },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the chaos run failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toMatch(/seed 13: reconciled/);
    // The results table: its columns are separated by two spaces or more.
    const cells = (line: string | undefined): string[] => (line ?? '').trim().split(/\s{2,}/);
    const header = cells(/^seed\s.*$/m.exec(stdout)?.[0]);
    const row = Object.fromEntries(cells(/^13\s.*$/m.exec(stdout)?.[0]).map((cell, i) => [header[i], cell]));
    // The faults really happened, the retry function re-sent a backlog, and the verdict is the table's too.
    for (const fault of ['kafka-killed', 'kafka-stalled', 'kafka-paused', 'aws-unavailable', 'aws-restarted'])
      expect(row['faults injected']).toContain(fault);
    // The moto restart reached at least one call (the fault waits for a lost answer).
    expect(Number(row['AWS answers lost'])).toBeGreaterThan(0);
    expect(Number(row.retried)).toBeGreaterThan(0);
    expect(row.verdict).toBe('reconciled');
  });
});
