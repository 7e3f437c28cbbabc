import path from 'node:path';
import type { ResolvedConfig } from '../../stage/resolved-config';
import { REPO_ROOT } from '../../stage/resolved-config';

export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly expression: string;
  readonly input?: unknown;
  readonly enabled: boolean;
}

export interface MskTrigger {
  readonly kind: 'msk';
  readonly arn: string;
  readonly topic: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly consumerGroupId: string;
  /** The mapping's MaximumRetryAttempts; absent or -1: retried until it succeeds. */
  readonly maximumRetryAttempts?: number;
  /** The mapping's MaximumRecordAgeInSeconds; absent or -1: no age limit. */
  readonly maximumRecordAgeSeconds?: number;
  /** The bucket of the mapping's S3 on-failure destination; absent: a batch given up on is dropped, as Lambda does. */
  readonly onFailureBucket?: string;
  /** The msk event's `saslScram512`: the AmazonMSK_* secret the mapping logs in with, over TLS. Absent: plaintext locally. */
  readonly saslScram512?: string;
  /**
   * The CA the mapping trusts (the stage's CDC_KAFKA_CA_FILE): Lambda's pollers trust MSK's
   * certificates themselves; locally the stack's CA plays that part.
   */
  readonly caFile?: string;
}

export interface StreamTrigger {
  readonly kind: 'stream';
  /** An ARN, or `{ "Fn::GetAtt": [table, "StreamArn"] }` resolved against moto when the runner starts. */
  readonly arn: unknown;
  readonly batchSize: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly maximumRetryAttempts: number;
  readonly reportBatchItemFailures: boolean;
}

export interface FunctionDefinition {
  readonly name: string;
  /** The deployed name, e.g. cdc-pipeline-local-poller. */
  readonly functionName: string;
  readonly handlerFile: string;
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** Strings, or CloudFormation values (`{ Ref: … }`) the runtime resolves against the local stack. */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly schedules: readonly ScheduleTrigger[];
  readonly msk: readonly MskTrigger[];
  readonly streams: readonly StreamTrigger[];
}

type EventConfig = Record<string, Record<string, unknown> | undefined>;

// osls's own names for the mappings it generates: resources.extensions adds the limits osls's
// msk event cannot express under these (resources/entities.js consumerMappingLimits).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const naming = require('osls/lib/plugins/aws/lib/naming') as {
  getMSKEventLogicalId(fn: string, cluster: string, topic: string): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const clusterNameToken = require('osls/lib/plugins/aws/package/compile/events/msk/get-msk-cluster-name-token') as (
  arn: unknown,
) => string;

/** The functions of a resolved serverless.yml as the local runtime drives them. */
export function functionDefinitions(
  config: ResolvedConfig,
  service = config.service,
  stage = 'local',
): FunctionDefinition[] {
  return Object.entries(config.functions).map(([name, fn]) => {
    const [file, handlerExport = 'handler'] = splitHandler(fn.handler);
    const events = (fn.events ?? []) as EventConfig[];
    return {
      name,
      functionName: fn.name ?? `${service}-${stage}-${name}`,
      handlerFile: path.join(REPO_ROOT, `${file}.ts`),
      handlerExport,
      timeoutSeconds: fn.timeout ?? config.provider.timeout ?? 6,
      memorySize: fn.memorySize ?? 1024,
      environment: withoutNulls({ ...config.provider.environment, ...fn.environment }),
      schedules: events.flatMap((e) => (e.schedule ? [scheduleTrigger(e.schedule)] : [])),
      msk: events.flatMap((e) => (e.msk ? [mskTrigger(e.msk, mappingExtension(config, name, e.msk), config)] : [])),
      streams: events.flatMap((e) => (e.stream ? [streamTrigger(e.stream)] : [])),
    };
  });
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

/** A null value means "not set on this stage", as on deploy. */
function withoutNulls(env: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== null && v !== undefined));
}

function scheduleTrigger(s: Record<string, unknown>): ScheduleTrigger {
  const rate = Array.isArray(s.rate) ? s.rate : [s.rate];
  if (rate.length !== 1) throw new Error('the local runtime supports one rate/cron expression per schedule event');
  return { kind: 'schedule', expression: String(rate[0]), input: s.input, enabled: s.enabled !== false };
}

function mskTrigger(
  m: Record<string, unknown>,
  extension: Record<string, unknown>,
  config: ResolvedConfig,
): MskTrigger {
  return {
    kind: 'msk',
    arn: String(m.arn),
    topic: String(m.topic),
    batchSize: Number(m.batchSize ?? 100),
    batchingWindowSeconds: Number(m.maximumBatchingWindow ?? 0),
    startingPosition: m.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
    consumerGroupId: String(m.consumerGroupId ?? 'local-msk-consumer'),
    maximumRetryAttempts: Number(extension.MaximumRetryAttempts ?? -1),
    maximumRecordAgeSeconds: Number(extension.MaximumRecordAgeInSeconds ?? -1),
    onFailureBucket: onFailureBucketOf(extension.DestinationConfig, config),
    ...(typeof m.saslScram512 === 'string' ? { saslScram512: m.saslScram512 } : {}),
    ...(typeof config.provider?.environment?.CDC_KAFKA_CA_FILE === 'string'
      ? { caFile: config.provider.environment.CDC_KAFKA_CA_FILE }
      : {}),
  };
}

/** The properties resources.extensions adds to the mapping osls generates for this msk event. */
function mappingExtension(
  config: ResolvedConfig,
  functionName: string,
  m: Record<string, unknown>,
): Record<string, unknown> {
  const extensions =
    (config.resources as { extensions?: Record<string, { Properties?: Record<string, unknown> }> }).extensions ?? {};
  return (
    extensions[naming.getMSKEventLogicalId(functionName, clusterNameToken(m.arn), String(m.topic))]?.Properties ?? {}
  );
}

/** `!GetAtt <Bucket>.Arn` of a bucket of the stack, or an S3 ARN; other destinations have no local stand-in. */
function onFailureBucketOf(destination: unknown, config: ResolvedConfig): string | undefined {
  const target = (destination as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
  if (target === undefined) return undefined;
  const arn = typeof target === 'string' ? /^arn:[^:]+:s3:::([^/]+)$/.exec(target)?.[1] : undefined;
  if (arn !== undefined) return arn;
  const getAtt = (target as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  const bucket = getAtt?.[1] === 'Arn' ? config.resources.Resources[getAtt[0]]?.Properties?.BucketName : undefined;
  if (typeof bucket === 'string') return bucket;
  throw new Error(`the local runtime stands in for S3 on-failure destinations only, not ${JSON.stringify(target)}`);
}

function streamTrigger(s: Record<string, unknown>): StreamTrigger {
  if (s.type !== 'dynamodb') throw new Error(`the local runtime reads DynamoDB streams only, not ${String(s.type)}`);
  return {
    kind: 'stream',
    arn: s.arn,
    batchSize: Number(s.batchSize ?? 100),
    startingPosition: s.startingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
    maximumRetryAttempts: Number(s.maximumRetryAttempts ?? -1),
    reportBatchItemFailures: s.functionResponseType === 'ReportBatchItemFailures',
  };
}
