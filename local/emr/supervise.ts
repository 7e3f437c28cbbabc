/** Runs one local job run's spark-submit to the end and records its exit status (see local-runner.ts). */
import { spawn } from 'node:child_process';
import { sparkJars } from '../stack/install';
import { venvBin } from '../stack/paths';
import { readRun, writeRun } from '../../stage/emr-runs';

const jobRunId = process.argv[2] ?? '';
const run = readRun(jobRunId);
if (run === undefined) {
  console.error(`no local job run ${jobRunId}`);
  process.exit(2);
}
const [command, ...args] = run.command;
const python = venvBin('python');
const child = spawn(command!, args, {
  stdio: 'inherit',
  env: { ...process.env, CDC_SPARK_JARS: sparkJars().join(','), PYSPARK_PYTHON: python, PYSPARK_DRIVER_PYTHON: python },
});
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
