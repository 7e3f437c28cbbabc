import { type ActiveRun, failedRunsToReport, type JobRunner } from '../../../lib/jobs';
import { createLogger } from '../../../lib/log';

/** A run registry: each failed run with the time it ended. */
function registry(failures: { jobRunId: string; endedAt: number }[], calls: Date[]): JobRunner {
  return {
    activeRuns: async () => [],
    start: async () => 'unused',
    cancel: async () => undefined,
    state: async () => 'RUNNING',
    failedSince: async (since: Date): Promise<ActiveRun[]> => {
      calls.push(since);
      return failures
        .filter((f) => f.endedAt >= since.getTime())
        .map((f) => ({ name: 'cdc-batch-customer', jobRunId: f.jobRunId, state: 'FAILED' }));
    },
  };
}

describe('which failed Spark runs the launcher reports', () => {
  const lines: string[] = [];
  const log = createLogger({}, (line) => lines.push(line));
  const period = 3_600_000;
  const now = new Date('2026-12-07T10:00:00Z');

  it('a scheduled run reports the failures of the period before it, each once across two scheduled runs', async () => {
    const calls: Date[] = [];
    const runner = registry([{ jobRunId: 'r1', endedAt: now.getTime() - 60_000 }], calls);
    const first = await failedRunsToReport(true, runner, period, log, now);
    const next = await failedRunsToReport(true, runner, period, log, new Date(now.getTime() + period));
    expect(first.map((r) => r.jobRunId)).toEqual(['r1']);
    expect(next).toEqual([]);
    expect(calls.map((d) => d.toISOString())).toEqual(['2026-12-07T09:00:00.000Z', '2026-12-07T10:00:00.000Z']);
  });

  it('a direct invoke between two scheduled runs reports nothing and does not read the registry', async () => {
    const calls: Date[] = [];
    const runner = registry([{ jobRunId: 'r1', endedAt: now.getTime() - 60_000 }], calls);
    expect(await failedRunsToReport(false, runner, period, log, now)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('a registry that cannot be read fails nothing and says so', async () => {
    lines.length = 0;
    const broken: JobRunner = {
      ...registry([], []),
      failedSince: async () => {
        throw new Error('ListJobRuns throttled');
      },
    };
    expect(await failedRunsToReport(true, broken, period, log, now)).toEqual([]);
    expect(lines.join('\n')).toContain('could not read which Spark runs failed');
    expect(lines.join('\n')).toContain('ListJobRuns throttled');
  });
});
