import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOG_DIR, logFile, PID_DIR, REPO_ROOT } from './paths';

export interface ProcessRecord {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
}

function pidFile(service: string): string {
  return path.join(PID_DIR, `${service}.json`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The recorded process of a service if it is still running; a stale record is removed. */
export function runningProcess(service: string): ProcessRecord | undefined {
  let record: ProcessRecord;
  try {
    record = JSON.parse(readFileSync(pidFile(service), 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
  if (isAlive(record.pid)) return record;
  rmSync(pidFile(service), { force: true });
  return undefined;
}

/** Starts a service detached from this process, output appended to its log, and records its PID. */
export function startProcess(
  service: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): ProcessRecord {
  mkdirSync(LOG_DIR, { recursive: true });
  mkdirSync(PID_DIR, { recursive: true });
  const out = openSync(logFile(service), 'a');
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env },
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`${service}: could not start ${command}`);
  child.unref();
  const record: ProcessRecord = {
    pid: child.pid,
    command: [command, ...args].join(' '),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(pidFile(service), JSON.stringify(record, null, 2));
  return record;
}

/** `signal` (SIGTERM) to exactly the recorded PID, SIGKILL to it only if it has not exited in time. */
export async function stopProcess(
  service: string,
  graceMs = 15_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<ProcessRecord | undefined> {
  const record = runningProcess(service);
  if (record === undefined) return undefined;
  process.kill(record.pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(record.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(record.pid)) process.kill(record.pid, 'SIGKILL');
  while (isAlive(record.pid)) await sleep(50);
  rmSync(pidFile(service), { force: true });
  return record;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
