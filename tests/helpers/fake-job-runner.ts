import type { ActiveRun, JobRunner, JobSpec, RunState } from '../../lib/jobs';

/**
 * The job runner port in memory: runs by name with their state. A run leaves `activeRuns` once it
 * is FAILED, CANCELLED or SUCCESS, as on EMR Serverless; `start` records the spec and the token.
 */
export class FakeJobRunner implements JobRunner {
  readonly started: { spec: JobSpec; token: string }[] = [];
  readonly runs = new Map<string, { jobRunId: string; state: RunState; tags?: Record<string, string> }>();
  readonly cancelled: string[] = [];
  /** What a cancelled run goes to: CANCELLED at once, or CANCELLING (a stream slow to stop). */
  cancelTo: RunState = 'CANCELLED';

  /** A run going under this name (RUNNING unless said otherwise). */
  going(name: string, jobRunId: string, state: RunState = 'RUNNING', tags?: Record<string, string>): void {
    this.runs.set(name, { jobRunId, state, ...(tags === undefined ? {} : { tags }) });
  }

  async activeRuns(): Promise<ActiveRun[]> {
    return [...this.runs]
      .filter(([, r]) => !['FAILED', 'CANCELLED', 'SUCCESS'].includes(r.state))
      .map(([name, r]) => ({ name, ...r }));
  }

  async start(spec: JobSpec, token: string): Promise<string> {
    this.started.push({ spec, token });
    const jobRunId = `run-${this.started.length}`;
    this.runs.set(spec.name, { jobRunId, state: 'SUBMITTED', tags: spec.tags });
    return jobRunId;
  }

  async cancel(jobRunId: string): Promise<void> {
    this.cancelled.push(jobRunId);
    for (const run of this.runs.values()) if (run.jobRunId === jobRunId) run.state = this.cancelTo;
  }

  /** A run's state as recorded; RUNNING for one it does not know. */
  async state(jobRunId: string): Promise<RunState> {
    return [...this.runs.values()].find((r) => r.jobRunId === jobRunId)?.state ?? 'RUNNING';
  }

  async failedSince(): Promise<ActiveRun[]> {
    return [];
  }
}
