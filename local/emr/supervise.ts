/** Runs one local job run's spark-submit to the end and records its exit status (see local-runner.ts). */
import { spawn } from 'node:child_process';
import { readRun, writeRun } from '../../stage/emr-runs';
import { sparkSubmitEnv } from './spark-submit';

const jobRunId = process.argv[2] ?? '';
const run = readRun(jobRunId);
if (run === undefined) {
  console.error(`no local job run ${jobRunId}`);
  process.exit(2);
}
const [command, ...args] = run.command;
const child = spawn(command!, args, { stdio: 'inherit', env: sparkSubmitEnv() });
child.on('exit', (code, signal) => {
  const finished = readRun(jobRunId)!;
  writeRun({
    ...finished,
    state: code === 0 ? 'SUCCESS' : 'FAILED',
    exitCode: code,
    endedAt: new Date().toISOString(),
    ...(signal ? { signal } : {}),
  });
  process.exit(code ?? 1);
});
