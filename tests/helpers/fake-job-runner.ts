import type { ActiveRun, JobRunner, JobSpec, RunState } from '../../lib/jobs';

/**
 * The job runner port in memory: runs by name with their state. A run leaves `activeRuns` once it
 * is FAILED, CANCELLED or SUCCESS, as on EMR Serverless; `start` records the spec and the token.
 */
export class FakeJobRunner implements JobRunner {
  readonly started: { spec: JobSpec; token: string }[] = [];
  readonly runs = new Map<string, { jobRunId: string; state: RunState }>();

  /** A run going under this name (RUNNING unless said otherwise). */
  going(name: string, jobRunId: string, state: RunState = 'RUNNING'): void {
    this.runs.set(name, { jobRunId, state });
  }

  async activeRuns(): Promise<ActiveRun[]> {
    return [...this.runs]
      .filter(([, r]) => !['FAILED', 'CANCELLED', 'SUCCESS'].includes(r.state))
      .map(([name, r]) => ({ name, ...r }));
  }

  async start(spec: JobSpec, token: string): Promise<string> {
    this.started.push({ spec, token });
    const jobRunId = `run-${this.started.length}`;
    this.runs.set(spec.name, { jobRunId, state: 'SUBMITTED' });
    return jobRunId;
  }

  async state(): Promise<RunState> {
    return 'RUNNING';
  }

  async failedSince(): Promise<ActiveRun[]> {
    return [];
  }
}
