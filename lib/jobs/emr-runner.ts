import {
  CancelJobRunCommand,
  EMRServerlessClient,
  GetJobRunCommand,
  ListJobRunsCommand,
  StartJobRunCommand,
} from '@aws-sdk/client-emr-serverless';
import type { JobSpec } from './job-spec';
import { ACTIVE_STATES, type ActiveRun, type JobRunner, type RunState } from './runner';

export class EmrServerlessRunner implements JobRunner {
  constructor(
    private readonly emr: EMRServerlessClient,
    private readonly applicationId: string,
    private readonly executionRoleArn: string,
  ) {}

  async activeRuns(): Promise<ActiveRun[]> {
    const runs: ActiveRun[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.emr.send(
        new ListJobRunsCommand({ applicationId: this.applicationId, states: [...ACTIVE_STATES], nextToken }),
      );
      for (const run of page.jobRuns ?? [])
        if (run.id && run.name) runs.push({ name: run.name, jobRunId: run.id, state: run.state as RunState });
      nextToken = page.nextToken;
    } while (nextToken);
    // ListJobRuns leaves tags out: read them for the supervised streams (one or a few), which carry their schemas.
    return Promise.all(
      runs.map(async (run) =>
        run.name.startsWith('cdc-continuous-') ? { ...run, tags: (await this.jobRun(run.jobRunId))?.tags ?? {} } : run,
      ),
    );
  }

  async cancel(jobRunId: string): Promise<void> {
    await this.emr.send(new CancelJobRunCommand({ applicationId: this.applicationId, jobRunId }));
  }

  private async jobRun(jobRunId: string) {
    return (await this.emr.send(new GetJobRunCommand({ applicationId: this.applicationId, jobRunId }))).jobRun;
  }

  /**
   * ListJobRuns filters by creation time only: runs created in the day before `since` that are
   * FAILED, kept when they changed (ended) at or after it. A run lasting longer than that day is
   * past EMR Serverless's default 12-hour timeout anyway.
   */
  async failedSince(since: Date): Promise<ActiveRun[]> {
    const runs: ActiveRun[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.emr.send(
        new ListJobRunsCommand({
          applicationId: this.applicationId,
          states: ['FAILED'],
          createdAtAfter: new Date(since.getTime() - 86_400_000),
          nextToken,
        }),
      );
      for (const run of page.jobRuns ?? [])
        if (run.id && run.name && run.updatedAt !== undefined && run.updatedAt >= since)
          runs.push({ name: run.name, jobRunId: run.id, state: 'FAILED' });
      nextToken = page.nextToken;
    } while (nextToken);
    return runs;
  }

  async start(spec: JobSpec, clientToken: string): Promise<string> {
    const out = await this.emr.send(
      new StartJobRunCommand({
        applicationId: this.applicationId,
        executionRoleArn: this.executionRoleArn,
        name: spec.name,
        clientToken,
        mode: spec.runMode,
        ...(spec.maxFailedAttemptsPerHour === undefined
          ? {}
          : { retryPolicy: { maxFailedAttemptsPerHour: spec.maxFailedAttemptsPerHour } }),
        jobDriver: {
          sparkSubmit: {
            entryPoint: spec.entryPoint,
            entryPointArguments: spec.entryPointArguments,
            sparkSubmitParameters: spec.sparkSubmitParameters,
          },
        },
        configurationOverrides: { monitoringConfiguration: { s3MonitoringConfiguration: { logUri: spec.logUri } } },
        tags: spec.tags,
      }),
    );
    if (!out.jobRunId) throw new Error(`EMR Serverless StartJobRun for ${spec.name} returned no job run id`);
    return out.jobRunId;
  }

  async state(jobRunId: string): Promise<RunState> {
    return (await this.jobRun(jobRunId))?.state as RunState;
  }
}
