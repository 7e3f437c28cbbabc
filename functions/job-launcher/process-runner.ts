import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ActiveRun, JobRunner, JobSpec, RunState } from '../../lib/jobs';

const run = promisify(execFile);

/**
 * A job runner living in another program, spoken to through its command line (one JSON answer
 * on stdout): how the job launcher reaches the local stack's spark-submit stand-in without
 * bundling it. `script` is found from the working directory upwards (`sls invoke local` runs
 * the bundle from .esbuild/.build). It lives beside the job launcher, not in local/: it is part
 * of the function's bundle (chosen at cold start on stage local), and nothing AWS-side imports
 * local/.
 */
export class ProcessJobRunner implements JobRunner {
  private readonly root: string;
  private readonly context: string[];

  constructor(
    private readonly script: string,
    applicationId: string,
    executionRoleArn: string,
    start = process.cwd(),
  ) {
    let dir = path.resolve(start);
    while (!existsSync(path.join(dir, script))) {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error(`job runner script ${script} not found from ${start} upwards`);
      dir = parent;
    }
    this.root = dir;
    this.context = [applicationId, executionRoleArn];
  }

  async activeRuns(): Promise<ActiveRun[]> {
    return this.call('active-runs');
  }

  async start(spec: JobSpec, clientToken: string): Promise<string> {
    return this.call('start', JSON.stringify(spec), clientToken);
  }

  async state(jobRunId: string): Promise<RunState> {
    return this.call('state', jobRunId);
  }

  async cancel(jobRunId: string): Promise<void> {
    await this.call('cancel', jobRunId);
  }

  async failedSince(since: Date): Promise<ActiveRun[]> {
    return this.call('failed-since', since.toISOString());
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async call(...args: string[]): Promise<any> {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(this.root, this.script), ...this.context, ...args],
      { cwd: this.root, maxBuffer: 4 * 1024 * 1024 },
    );
    const last = stdout.trim().split('\n').pop() ?? 'null';
    return JSON.parse(last);
  }
}
