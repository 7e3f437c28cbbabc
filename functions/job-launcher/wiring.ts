import { EmrServerlessRunner, type JobRunner, type JobSettings, type LatestSchemaVersion } from '../../lib/jobs';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GlueClient } from '@aws-sdk/client-glue';
import { topicFor } from '../../lib/config';
import { GlueSchemaRegistry } from '../../lib/registry';
import { type AwsClients, awsClients, type ClientFactories } from '../../lib/lambda/aws-clients';
import { createLogger, type Logger } from '../../lib/log';
import type { JobLauncherConfig } from './config';
import { ProcessJobRunner } from './process-runner';

/** The AWS clients this function uses, and only those (each package loads at cold start). */
const JOB_LAUNCHER_CLIENTS: ClientFactories = {
  emr: () => new EMRServerlessClient({}),
  glue: () => new GlueClient({}),
};

export interface JobLauncherWiring {
  readonly log: Logger;
  /** Created on first use: a launch that fails validation never builds a client. */
  readonly runner: () => JobRunner;
  readonly settings: JobSettings;
  /** The registry's latest version of an entity's schema (its topic's name): a stream on an older one is restarted. */
  readonly latestVersion: LatestSchemaVersion;
}

/** From the job launcher's configuration to its dependencies: called once, at cold start. */
export function wire(
  config: JobLauncherConfig,
  clients: AwsClients = awsClients(JOB_LAUNCHER_CLIENTS),
): JobLauncherWiring {
  let runner: JobRunner | undefined;
  let registry: GlueSchemaRegistry | undefined;
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
    latestVersion: async (entity) => {
      registry ??= new GlueSchemaRegistry(clients.glue, config.schemaRegistry);
      return (await registry.getLatestVersion(topicFor(config, entity))).versionNumber;
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
