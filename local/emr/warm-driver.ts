/**
 * The local EMR stand-in's warm driver (local/python/warm_driver.py, which also describes the
 * protocol): a job run goes to the one spark-submit'ed driver that is idle and was started with
 * the same Spark settings, endpoint and credentials, or starts that driver if none runs. If the
 * driver is busy, or started with other settings, the run gets its own cold spark-submit as
 * before. The driver is a process of the local stack (.stack/pids/emr-driver.json, its Spark log
 * in .stack/logs/emr-driver.log): `stack:down` stops it, and it stops itself after ten idle minutes.
 *
 * CDC_LOCAL_SPARK_DRIVER=cold gives every run its own spark-submit (what EMR Serverless does
 * without pre-initialized capacity); the default is warm.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, STACK_DIR } from '../stack/paths';
import { runningProcess, startProcess } from '../stack/processes';

export const DRIVER_PROCESS = 'emr-driver';
const SCRIPT = path.join(REPO_ROOT, 'local', 'python', 'warm_driver.py');
const IDLE_SECONDS = 600;
/** A launcher that died while starting the driver leaves its lock; after this long it is ignored. */
const STALE_LOCK_MS = 60_000;

/** One run as the driver reads it (request-<id>.json). */
export interface WarmRun {
  readonly jobRunId: string;
  readonly entryPoint: string;
  readonly pyFiles: readonly string[];
  readonly arguments: readonly string[];
  readonly log: string;
  readonly runFile: string;
}

/** What a run's spark-submit would be: the command up to the entry point, and its environment. */
export interface SparkSubmit {
  readonly command: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

export function warmDriverEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = env.CDC_LOCAL_SPARK_DRIVER ?? 'warm';
  if (setting !== 'warm' && setting !== 'cold')
    throw new Error(`CDC_LOCAL_SPARK_DRIVER must be warm or cold, not "${setting}"`);
  return setting === 'warm';
}

/** Runs with equal signatures may share a driver: same settings and jars (the py-files are per run), same AWS. */
export function driverSignature({ command, env }: SparkSubmit): string {
  const settings = command.map((arg, i) => (command[i - 1] === '--py-files' ? '<per run>' : arg));
  const aws = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'CDC_SPARK_JARS'];
  return JSON.stringify([settings, aws.map((name) => env[name] ?? null)]);
}

/** Where the driver is recorded (its PID file, under the stack's name) and its spool directory. */
export interface DriverPlace {
  readonly process: string;
  readonly spool: string;
}

export const STACK_DRIVER: DriverPlace = { process: DRIVER_PROCESS, spool: path.join(STACK_DIR, 'emr-driver') };

function writeWhole(file: string, text: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Hands the run to the warm driver if it can take it: `record(pid)` is called with the driver's
 * PID before the run can start (so run.json names it before the driver writes the outcome), and
 * true is returned. False: the caller runs it cold.
 */
export function runOnWarmDriver(
  run: WarmRun,
  submit: SparkSubmit,
  record: (pid: number) => void,
  place: DriverPlace = STACK_DRIVER,
): boolean {
  if (!warmDriverEnabled(submit.env)) return false;
  mkdirSync(place.spool, { recursive: true });
  const signature = driverSignature(submit);
  const running = runningProcess(place.process);
  if (running) return claimIdleDriver(place, run, running.pid, signature, record);
  return startDriver(place, run, submit, signature, record);
}

function claimIdleDriver(
  { spool }: DriverPlace,
  run: WarmRun,
  pid: number,
  signature: string,
  record: (pid: number) => void,
): boolean {
  const spoolFile = (name: string): string => path.join(spool, name);
  let driver: { pid: number; signature: string };
  try {
    driver = JSON.parse(readFileSync(spoolFile('driver.json'), 'utf8')) as typeof driver;
  } catch {
    return false;
  }
  if (driver.pid !== pid || driver.signature !== signature) return false;
  const request = spoolFile(`request-${run.jobRunId}.json`);
  writeWhole(request, JSON.stringify(run));
  record(pid);
  try {
    renameSync(spoolFile('ready'), spoolFile(`claimed-${run.jobRunId}`));
    return true;
  } catch (error) {
    rmSync(request, { force: true });
    if (errorCode(error) === 'ENOENT') return false; // busy, or retiring
    throw error;
  }
}

function startDriver(
  place: DriverPlace,
  run: WarmRun,
  submit: SparkSubmit,
  signature: string,
  record: (pid: number) => void,
): boolean {
  const spoolFile = (name: string): string => path.join(place.spool, name);
  const lock = spoolFile('start.lock');
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false; // another launcher is starting it
    throw error;
  }
  try {
    if (runningProcess(place.process)) return false;
    // What a driver that is gone left behind.
    for (const name of readdirSync(place.spool)) if (name !== 'start.lock') rmSync(spoolFile(name), { force: true });
    writeWhole(spoolFile(`request-${run.jobRunId}.json`), JSON.stringify(run));
    const [command, ...args] = submit.command;
    const started = startProcess(
      place.process,
      command!,
      [...args, SCRIPT, place.spool, String(IDLE_SECONDS), run.jobRunId],
      submit.env,
    );
    writeWhole(spoolFile('driver.json'), JSON.stringify({ pid: started.pid, signature }));
    record(started.pid);
    return true;
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}
