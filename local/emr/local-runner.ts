/**
 * EMR Serverless on the local stack. moto records every run (StartJobRun, so the launcher's
 * calls are the real ones) but never executes it and calls it SUCCESS at once, so its state is
 * not trusted here: the run's artifacts are fetched from the artifacts bucket (on moto) and the
 * same entry point runs with the same arguments under `spark-submit` from .stack/venv; only the
 * jars' location and the master differ. Its exit status becomes the run's state
 * (.stack/emr-runs/<jobRunId>/run.json, log beside it). A run goes to the stack's warm driver
 * when it is idle (warm-driver.ts: one JVM for run after run, as EMR's pre-initialized capacity),
 * else to its own spark-submit. Loaded by the job launcher on stage
 * local only, through its command line (cli.ts, CDC_LOCAL_JOB_RUNNER), never bundled for AWS.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EMRServerlessClient, ListApplicationsCommand } from '@aws-sdk/client-emr-serverless';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ActiveRun, EmrServerlessRunner, type JobRunner, type JobSpec, type RunState } from '../../lib/jobs';
import { sparkJars } from '../stack/install';
import { REPO_ROOT, venvBin } from '../stack/paths';
import { allRuns, alive, type LocalRun, readRun, runDir, runFile, writeRun } from '../../stage/emr-runs';
import { LOCAL_MASTER, sparkSubmitEnv } from './spark-submit';
import { runOnWarmDriver } from './warm-driver';

function s3Location(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// location: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

export class LocalSparkRunner implements JobRunner {
  private emr: Promise<EmrServerlessRunner> | undefined;

  constructor(
    private readonly application: string,
    private readonly executionRoleArn: string,
    private readonly s3 = new S3Client({ forcePathStyle: true }),
  ) {}

  /** Stage local names the application (its id exists only once moto created it): look the id up. */
  private recorder(): Promise<EmrServerlessRunner> {
    this.emr ??= (async () => {
      const client = new EMRServerlessClient({});
      const apps = (await client.send(new ListApplicationsCommand({}))).applications ?? [];
      const app = apps.find((a) => a.id === this.application || a.name === this.application);
      if (app?.id === undefined)
        throw new Error(
          `EMR Serverless application ${this.application} is not on the local stack: npm run stack:up provisions it`,
        );
      return new EmrServerlessRunner(client, app.id, this.executionRoleArn);
    })();
    return this.emr;
  }

  async activeRuns(): Promise<ActiveRun[]> {
    return allRuns()
      .filter(alive)
      .map((r) => ({
        name: r.name,
        jobRunId: r.jobRunId,
        state: r.state,
        ...(r.tags === undefined ? {} : { tags: r.tags }),
      }));
  }

  /** Stops the run's spark-submit (a stream's, or a batch run's of its own) and records it CANCELLED. */
  async cancel(jobRunId: string): Promise<void> {
    if (readRun(jobRunId) === undefined) throw new Error(`no local job run ${jobRunId}`);
    await stopLocalRun(jobRunId);
  }

  async start(spec: JobSpec, clientToken: string): Promise<string> {
    const jobRunId = await (await this.recorder()).start(spec, clientToken);
    const dir = runDir(jobRunId);
    mkdirSync(dir, { recursive: true });
    const entryPoint = await this.download(spec.entryPoint, dir);
    const params = spec.sparkSubmitParameters.split(/\s+/);
    const args: string[] = [];
    const pyFiles: string[] = [];
    for (let i = 0; i < params.length; i += 1) {
      if (params[i] === '--py-files') {
        pyFiles.push(await this.download(params[++i]!, dir));
        args.push('--py-files', pyFiles.at(-1)!);
      }
      // EMR's own Delta jars → the same Delta (and S3A) jars the local stack fetched.
      else if (params[i] === '--conf' && params[i + 1]!.startsWith('spark.jars=')) {
        args.push('--conf', `spark.jars=${sparkJars().join(',')}`);
        i += 1;
      } else args.push(params[i]!);
    }
    const submit = [venvBin('spark-submit'), '--master', LOCAL_MASTER, ...args];
    const command = [...submit, entryPoint, ...spec.entryPointArguments];
    const log = path.join(dir, 'spark.log');
    const run: LocalRun = {
      jobRunId,
      name: spec.name,
      state: 'RUNNING',
      startedAt: new Date().toISOString(),
      command,
      log,
      tags: spec.tags,
    };
    writeRun(run);
    // A stream never ends: it gets its own spark-submit, and the warm driver stays free for batch runs.
    const warm =
      spec.runMode !== 'STREAMING' &&
      runOnWarmDriver(
        { jobRunId, entryPoint, pyFiles, arguments: spec.entryPointArguments, log, runFile: runFile(jobRunId) },
        { command: submit, env: sparkSubmitEnv() },
        (pid) => writeRun({ ...run, pid, driver: 'warm' }),
      );
    if (warm) return jobRunId;
    const out = openSync(log, 'a');
    // A small detached supervisor waits for spark-submit and records its exit status.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'supervise.ts'), jobRunId], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    writeRun({ ...run, pid: child.pid, driver: 'cold' });
    return jobRunId;
  }

  /** The registry's runs that ended FAILED since then. */
  async failedSince(since: Date): Promise<ActiveRun[]> {
    const from = since.toISOString();
    return allRuns()
      .filter((r) => r.state === 'FAILED' && (r.endedAt ?? r.startedAt) >= from)
      .map((r) => ({ name: r.name, jobRunId: r.jobRunId, state: 'FAILED' as const }));
  }

  async state(jobRunId: string): Promise<RunState> {
    const run = readRun(jobRunId);
    if (run === undefined) throw new Error(`no local job run ${jobRunId}`);
    if (run.state === 'RUNNING' && !alive(run)) return 'FAILED';
    return run.state;
  }

  private async download(uri: string, dir: string): Promise<string> {
    const { bucket, key } = s3Location(uri);
    const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const file = path.join(dir, path.basename(key));
    writeFileSync(file, Buffer.from(await object.Body!.transformToByteArray()));
    return file;
  }
}

/**
 * Stops every job run still going on its own spark-submit (a stream, or a batch run caught
 * mid-way); `stack:down` calls it. Runs on the warm driver stop with the driver.
 */
export async function stopLocalRuns(log: (line: string) => void = () => undefined): Promise<void> {
  for (const run of allRuns().filter((r) => r.driver === 'cold' && alive(r))) {
    await stopLocalRun(run.jobRunId);
    log(`job run ${run.jobRunId} (${run.name}): stopped pid ${run.pid}`);
  }
}

/**
 * Stops one job run on its own spark-submit by the PID its record holds: the supervisor leads a
 * process group holding spark-submit and its JVM, so the group is signalled (SIGTERM, then
 * SIGKILL after `graceMs`, or at once with `signal: 'SIGKILL'`, as a crash would). Recorded
 * CANCELLED unless `record: false` (a test's crash leaves it as a dead RUNNING run: FAILED).
 */
export async function stopLocalRun(
  jobRunId: string,
  {
    graceMs = 15_000,
    signal = 'SIGTERM',
    record = true,
  }: { graceMs?: number; signal?: NodeJS.Signals; record?: boolean } = {},
): Promise<void> {
  const run = readRun(jobRunId);
  if (run === undefined || run.driver !== 'cold' || !alive(run)) return;
  const send = (s: NodeJS.Signals): void => {
    try {
      process.kill(-run.pid!, s);
    } catch {
      // Gone already.
    }
  };
  send(signal);
  const deadline = Date.now() + graceMs;
  while (alive(run) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(run)) send('SIGKILL');
  while (alive(run)) await new Promise((r) => setTimeout(r, 50));
  // The supervisor may have recorded the exit as it went: the stop is what happened.
  if (record) writeRun({ ...(readRun(jobRunId) ?? run), state: 'CANCELLED', endedAt: new Date().toISOString() });
}
