/**
 * The job launcher learns which Spark runs failed since its run before, from the local EMR
 * stand-in's run registry (as from EMR Serverless ListJobRuns on AWS), for its JobRunsFailed metric.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { LocalSparkRunner } from '../../local/emr/local-runner';
import { runDir, writeRun } from '../../stage/emr-runs';

const ids: string[] = [];
afterAll(() => {
  for (const id of ids) rmSync(runDir(id), { recursive: true, force: true });
});

function run(state: 'FAILED' | 'SUCCESS', endedMinutesAgo: number): string {
  const jobRunId = `it-${randomUUID()}`;
  ids.push(jobRunId);
  const endedAt = new Date(Date.now() - endedMinutesAgo * 60_000).toISOString();
  writeRun({
    jobRunId,
    name: `cdc-batch-it${jobRunId.slice(3, 9)}`,
    state,
    startedAt: endedAt,
    endedAt,
    command: [],
    log: '',
  });
  return jobRunId;
}

it('lists the runs that ended FAILED since a time, not older failures and not successes', async () => {
  const recent = run('FAILED', 1);
  const old = run('FAILED', 120);
  const fine = run('SUCCESS', 1);
  const failed = await new LocalSparkRunner('app', 'role').failedSince(new Date(Date.now() - 10 * 60_000));
  const mine = failed.filter((r) => ids.includes(r.jobRunId));
  expect(mine).toEqual([{ name: expect.stringMatching(/^cdc-batch-it/), jobRunId: recent, state: 'FAILED' }]);
  expect(mine.map((r) => r.jobRunId)).not.toContain(old);
  expect(mine.map((r) => r.jobRunId)).not.toContain(fine);
});
