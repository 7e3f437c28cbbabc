import { EmrServerlessRunner, type JobRunner, type JobSettings } from '../../lib/jobs';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { type AwsClients, awsClients, type ClientFactories } from '../../lib/lambda/aws-clients';
import { createLogger, type Logger } from '../../lib/log';
import type { JobLauncherConfig } from './config';
import { ProcessJobRunner } from './process-runner';

/** The AWS clients this function uses, and only those (each package loads at cold start). */
const JOB_LAUNCHER_CLIENTS: ClientFactories = {
  emr: () => new EMRServerlessClient({}),
};

export interface JobLauncherWiring {
  readonly log: Logger;
  /** Created on first use: a launch that fails validation never builds a client. */
  readonly runner: () => JobRunner;
  readonly settings: JobSettings;
}

/** From the job launcher's configuration to its dependencies: called once, at cold start. */
export function wire(
  config: JobLauncherConfig,
  clients: AwsClients = awsClients(JOB_LAUNCHER_CLIENTS),
): JobLauncherWiring {
  let runner: JobRunner | undefined;
  return {
    log: createLogger({ function: 'jobLauncher', stage: config.stage }),
    runner: () => {
      runner ??=
        config.localRunner === undefined
          ? new EmrServerlessRunner(clients.emr, config.applicationId, config.executionRoleArn)
          : // Stage local: spark-submit on this machine, a program of its own (never bundled for AWS).
            new ProcessJobRunner(config.localRunner, config.applicationId, config.executionRoleArn);
      return runner;
    },
    settings: {
      stage: config.stage,
      rawBucket: config.rawBucket,
      lakeBucket: config.lakeBucket,
      artifactsBucket: config.artifactsBucket,
      schemaRegistry: config.schemaRegistry,
      topicPrefix: config.topicPrefix,
      streamTriggerSeconds: config.streamTriggerSeconds,
      timeTravelHours: config.timeTravelHours,
      ...(config.catalogDatabase === undefined ? {} : { catalogDatabase: config.catalogDatabase }),
    },
  };
}
