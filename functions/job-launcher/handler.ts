import middy from '@middy/core';
import { EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import type { Context } from 'aws-lambda';
import { ConfigError, loadCommonConfig, optionalString, requireString } from '../../lib/config';
import { BadRequestError } from '../../lib/errors';
import { EmrServerlessRunner, type JobRunner, type LaunchedRun, launchJobs, ProcessJobRunner } from '../../lib/jobs';
import { invocationSummary } from '../../lib/lambda/summary';
import { createLogger } from '../../lib/log';

const env = process.env;
const grouping = optionalString(env, 'CDC_JOB_GROUPING') ?? 'entity';
if (grouping !== 'entity' && grouping !== 'all') throw new ConfigError('CDC_JOB_GROUPING', `must be "entity" (one run per entity) or "all" (one run for all), got "${grouping}"`);
const config = {
  ...loadCommonConfig(env),
  applicationId: requireString(env, 'CDC_EMR_APPLICATION_ID'),
  executionRoleArn: requireString(env, 'CDC_EMR_EXECUTION_ROLE_ARN'),
  lakeBucket: requireString(env, 'CDC_LAKE_BUCKET'),
  artifactsBucket: requireString(env, 'CDC_ARTIFACTS_BUCKET'),
  grouping: grouping as 'entity' | 'all',
  // Stage local only: the module that runs jobs with spark-submit instead of EMR (local/emr).
  localRunner: optionalString(env, 'CDC_LOCAL_JOB_RUNNER'),
};
const log = createLogger({ function: 'jobLauncher', stage: config.stage });

let runner: JobRunner | undefined;
function jobRunner(): JobRunner {
  runner ??= config.localRunner === undefined
    ? new EmrServerlessRunner(new EMRServerlessClient({}), config.applicationId, config.executionRoleArn)
    // Stage local: spark-submit on this machine, a program of its own (never bundled for AWS).
    : new ProcessJobRunner(config.localRunner, config.applicationId, config.executionRoleArn);
  return runner;
}

/** Scheduled with `{ "mode": "batch" }`; invoked directly with a mode and optional entities. */
export interface LaunchEvent {
  mode?: unknown;
  entities?: unknown;
}

export interface LaunchResult {
  mode: 'batch' | 'streaming';
  runs: LaunchedRun[];
}

async function launch(event: LaunchEvent, context: Context): Promise<LaunchResult> {
  const mode = event?.mode ?? 'batch';
  if (mode !== 'batch' && mode !== 'streaming') throw new BadRequestError(`mode must be "batch" or "streaming", got ${JSON.stringify(mode)}`);
  const known = [...config.entities.keys()];
  const entities = event?.entities ?? known;
  if (!Array.isArray(entities) || entities.length === 0 || entities.some((e) => typeof e !== 'string' || !known.includes(e))) {
    throw new BadRequestError(`entities must be a non-empty list of: ${known.join(', ')}; got ${JSON.stringify(entities)}`);
  }
  const runs = await launchJobs({ mode, entities: entities as string[], grouping: config.grouping }, jobRunner(), {
    stage: config.stage, rawBucket: config.rawBucket, lakeBucket: config.lakeBucket, artifactsBucket: config.artifactsBucket,
    schemaRegistry: config.schemaRegistry, topicPrefix: config.topicPrefix,
  }, log.child({ runId: context.awsRequestId }));
  return { mode, runs };
}

export const handler = middy<LaunchEvent, LaunchResult, Error, Context>(launch).use(invocationSummary(log));
