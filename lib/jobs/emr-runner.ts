import { EMRServerlessClient, GetJobRunCommand, ListJobRunsCommand, StartJobRunCommand } from '@aws-sdk/client-emr-serverless';
import type { JobSpec } from './job-spec';
import { ACTIVE_STATES, type JobRunner, type RunState } from './runner';

export class EmrServerlessRunner implements JobRunner {
  constructor(private readonly emr: EMRServerlessClient, private readonly applicationId: string, private readonly executionRoleArn: string) {}

  async active(name: string): Promise<{ jobRunId: string; state: RunState } | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.emr.send(new ListJobRunsCommand({ applicationId: this.applicationId, states: [...ACTIVE_STATES], nextToken }));
      const run = (page.jobRuns ?? []).find((r) => r.name === name);
      if (run?.id) return { jobRunId: run.id, state: run.state as RunState };
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  async start(spec: JobSpec, clientToken: string): Promise<string> {
    const out = await this.emr.send(new StartJobRunCommand({
      applicationId: this.applicationId,
      executionRoleArn: this.executionRoleArn,
      name: spec.name,
      clientToken,
      jobDriver: { sparkSubmit: { entryPoint: spec.entryPoint, entryPointArguments: spec.entryPointArguments, sparkSubmitParameters: spec.sparkSubmitParameters } },
      configurationOverrides: { monitoringConfiguration: { s3MonitoringConfiguration: { logUri: spec.logUri } } },
      tags: spec.tags,
    }));
    if (!out.jobRunId) throw new Error(`EMR Serverless StartJobRun for ${spec.name} returned no job run id`);
    return out.jobRunId;
  }

  async state(jobRunId: string): Promise<RunState> {
    const out = await this.emr.send(new GetJobRunCommand({ applicationId: this.applicationId, jobRunId }));
    return out.jobRun?.state as RunState;
  }
}
