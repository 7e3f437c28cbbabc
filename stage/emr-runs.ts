import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunState } from '../lib/jobs';
import { STACK_DIR } from './paths';

/** Local job runs, one folder each under .stack/emr-runs/<jobRunId>/ (artifacts, run.json, spark log). */
export const RUNS_DIR = path.join(STACK_DIR, 'emr-runs');

export interface LocalRun {
  readonly jobRunId: string;
  readonly name: string;
  state: RunState;
  readonly startedAt: string;
  endedAt?: string;
  exitCode?: number | null;
  pid?: number;
  /** The spark-submit command line, as run. */
  readonly command: string[];
  readonly log: string;
  /** Locally: the run had its own spark-submit (cold) or went to the stack's warm driver (local/emr/warm-driver.ts). */
  readonly driver?: 'cold' | 'warm';
  /** The tags the run was started with (a supervised stream's `schemas`). */
  readonly tags?: Readonly<Record<string, string>>;
}

export function runDir(jobRunId: string): string {
  return path.join(RUNS_DIR, jobRunId);
}

export function runFile(jobRunId: string): string {
  return path.join(runDir(jobRunId), 'run.json');
}

export function readRun(jobRunId: string): LocalRun | undefined {
  const file = runFile(jobRunId);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalRun) : undefined;
}

/**
 * Written whole or not at all (a temporary file renamed over it): the launcher, its supervisor
 * and any reader poll this file, and a reader once caught a half-written one (invalid JSON).
 */
export function writeRun(run: LocalRun): void {
  mkdirSync(runDir(run.jobRunId), { recursive: true });
  const file = runFile(run.jobRunId);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(run, null, 2)}\n`);
  renameSync(partial, file);
}

export function allRuns(): LocalRun[] {
  if (!existsSync(RUNS_DIR)) return [];
  return readdirSync(RUNS_DIR)
    .map(readRun)
    .filter((r): r is LocalRun => r !== undefined);
}

/** A run marked RUNNING whose process is gone died without a word: it failed. */
export function alive(run: LocalRun): boolean {
  if (run.state !== 'RUNNING' || run.pid === undefined) return false;
  try {
    process.kill(run.pid, 0);
    return true;
  } catch {
    return false;
  }
}
