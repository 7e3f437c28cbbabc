/**
 * `npm run demo` as a user runs it (small), on the running stack: a Kafka outage, the retry
 * function draining the fallback table, the Spark batch job, the report and the verdict.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
// Poll, outage, drain, one spark-submit and one Delta read-back on a 2-core machine.
jest.setTimeout(10 * 60_000);

const figure = (output: string, label: string): number =>
  Number(new RegExp(`^${label.replace(/[()]/g, '\\$&')}\\s+(\\d+)`, 'm').exec(output)?.[1] ?? NaN);

describe('npm run demo', () => {
  it('streams changes through a Kafka outage into Delta and ends reconciled, exit 0', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'local/demo/main.ts', '--events', '800', '--outage-seconds', '3'],
      {
        cwd: ROOT,
        timeout: 9 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, CI: '1' },
      },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the demo failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toMatch(/^reconciled: /m);
    expect(stdout).toMatch(/fallback table while Kafka is down: \d+ item\(s\): .*RETRIABLE\/KAFKA_UNAVAILABLE/);
    expect(stdout).toMatch(/fallback table after the retry function: empty/);
    // While Kafka is down: the alarm the parked backlog drives towards, judged by the stage's own threshold.
    expect(stdout).toMatch(
      /alarms while Kafka is down \(checkpoint lag left out[^)]*\):\n(.*\n)*? +\w+: FallbackBacklogAgeAlarm fires if the outage lasts \d+ s more/,
    );
    // The metrics the functions wrote, read back from the local runtime's EMF collection.
    expect(stdout).toMatch(/metrics the functions wrote this run/);
    expect(stdout).toMatch(/PollerEventsPublished +[1-9]\d*/);
    expect(stdout).toMatch(/RetryResent +[1-9]\d*/);
    // A bounded backfill beside the live polling, and the Delta tables still equal the source (the verdicts below).
    expect(stdout).toMatch(/Backfill of customer from \S+ to \S+ done: [1-9]\d* published/);
    expect(figure(stdout, '  parked: KAFKA_UNAVAILABLE')).toBeGreaterThan(0);
    expect(figure(stdout, 'retry: re-sent to Kafka')).toBeGreaterThan(0);
    expect(stdout).toMatch(/^Spark batch run \S+\s+SUCCESS$/m);
    expect(stdout).toMatch(/^verdict\s+equal\s+equal\s+equal/m);
  });
});
