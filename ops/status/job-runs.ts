import {
  type EMRServerlessClient,
  paginateListApplications,
  paginateListJobRuns,
} from '@aws-sdk/client-emr-serverless';
import type { RunState } from '../../lib/jobs';
import type { JobRunHistory, JobRunRecord } from './ports';

/** Enough to find the last run of every job name without reading a long history. */
const MAX_RUNS = 1000;

/** EMR Serverless ListJobRuns on the stage's application, found by its name (its id exists only once deployed). */
export class EmrServerlessJobRuns implements JobRunHistory {
  constructor(
    private readonly emr: EMRServerlessClient,
    private readonly applicationName: string,
  ) {}

  async runsSince(since: Date): Promise<JobRunRecord[]> {
    const applicationId = await this.applicationId();
    const runs: JobRunRecord[] = [];
    for await (const page of paginateListJobRuns({ client: this.emr }, { applicationId, createdAtAfter: since })) {
      for (const run of page.jobRuns ?? []) {
        if (run.id === undefined || run.name === undefined) continue;
        const ended = run.state === 'SUCCESS' || run.state === 'FAILED' || run.state === 'CANCELLED';
        runs.push({
          name: run.name,
          jobRunId: run.id,
          state: run.state as RunState,
          createdAt: (run.createdAt ?? since).toISOString(),
          ...(ended && run.updatedAt ? { endedAt: run.updatedAt.toISOString() } : {}),
          stateFrom: 'emr-serverless',
        });
      }
      if (runs.length >= MAX_RUNS) break;
    }
    return runs;
  }

  private async applicationId(): Promise<string> {
    for await (const page of paginateListApplications({ client: this.emr }, {})) {
      const app = (page.applications ?? []).find(
        (a) => a.name === this.applicationName || a.id === this.applicationName,
      );
      if (app?.id !== undefined) return app.id;
    }
    throw new Error(`EMR Serverless application ${this.applicationName} not found (not deployed to this region yet?)`);
  }
}
