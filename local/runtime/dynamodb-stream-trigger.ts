import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { localClientConfig } from '../../stage/local-aws';
import type { ResolvedConfig } from '../../stage/resolved-config';
import type { StreamTrigger } from './definitions';
import { abortableSleep } from './sleep';

export interface StreamStats {
  lag: number;
}

/** `{ "Fn::GetAtt": [table, "StreamArn"] }` → the table's current stream on moto. */
export async function resolveStreamArn(arn: unknown, config: ResolvedConfig): Promise<string> {
  if (typeof arn === 'string') return arn;
  const getAtt = (arn as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  const tableName = getAtt && config.resources.Resources[getAtt[0]]?.Properties?.TableName;
  if (!getAtt || getAtt[1] !== 'StreamArn' || typeof tableName !== 'string')
    throw new Error(
      `stream arn ${JSON.stringify(arn)}: only Fn::GetAtt [<table>, StreamArn] or an ARN is supported locally`,
    );
  const dynamodb = new DynamoDBClient(localClientConfig());
  try {
    const arnOnMoto = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
    if (!arnOnMoto)
      throw new Error(`table ${tableName} has no stream on the local stack (npm run stack:up provisions it)`);
    return arnOnMoto;
  } finally {
    dynamodb.destroy();
  }
}

/** A stream record as Lambda delivers it: the Streams API's record plus the source ARN, times in epoch seconds. */
export function lambdaStreamRecord(record: _Record, streamArn: string): Record<string, unknown> {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    ...record,
    eventSourceARN: streamArn,
    dynamodb: {
      ...record.dynamodb,
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
    },
  };
}

/**
 * The DynamoDB stream event source mapping: polls each shard in order, delivers at most
 * batchSize records, retries a failed batch up to maximumRetryAttempts (-1: until it succeeds),
 * and with ReportBatchItemFailures re-delivers from the first failed record. A Streams API call
 * that fails (the service unreachable for a while) is tried again after a pause, from the first
 * record not yet delivered, until the runner stops: the mapping never gives up on its stream.
 */
export async function runStreamTrigger(
  trigger: StreamTrigger,
  streamArn: string,
  invoke: (event: unknown) => Promise<unknown>,
  signal: AbortSignal,
  stats: StreamStats,
  log: (line: string) => void,
): Promise<void> {
  const streams = new DynamoDBStreamsClient(localClientConfig());
  try {
    const shards = await untilItAnswers(
      'DescribeStream',
      signal,
      log,
      async () =>
        (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [],
    );
    await Promise.all(
      (shards ?? []).map((shard) =>
        pollShard({ streams, trigger, streamArn, invoke, signal, stats, log }, String(shard.ShardId)),
      ),
    );
  } finally {
    streams.destroy();
  }
}

/** Calls the Streams API until it answers (pausing longer each time, at most 10 s) or the runner stops; undefined if it stopped. */
async function untilItAnswers<T>(
  what: string,
  signal: AbortSignal,
  log: (line: string) => void,
  call: () => Promise<T>,
): Promise<T | undefined> {
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      log(`[stream] ${what} failed (attempt ${attempt}): ${(error as Error).message}; trying again`);
      await abortableSleep(Math.min(10_000, 500 * 2 ** Math.min(attempt - 1, 5)), signal);
    }
  }
  return undefined;
}

/** What every shard of one mapping shares: the client, the mapping, the function, the runner's stop signal. */
interface MappingRun {
  readonly streams: DynamoDBStreamsClient;
  readonly trigger: StreamTrigger;
  readonly streamArn: string;
  readonly invoke: (event: unknown) => Promise<unknown>;
  readonly signal: AbortSignal;
  readonly stats: StreamStats;
  readonly log: (line: string) => void;
}

async function pollShard(run: MappingRun, shardId: string): Promise<void> {
  const { streams, trigger, streamArn, invoke, signal, stats, log } = run;
  // Where to read from when an iterator must be made again: the first record not yet delivered.
  let resume: { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequence: string } | undefined;
  const iteratorAt = (): Promise<string | undefined> =>
    untilItAnswers(
      `GetShardIterator ${shardId}`,
      signal,
      log,
      async () =>
        (
          await streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shardId,
              ShardIteratorType: resume?.type ?? trigger.startingPosition,
              SequenceNumber: resume?.sequence,
            }),
          )
        ).ShardIterator,
    );
  let iterator = await iteratorAt();
  let attempts = 0;
  while (!signal.aborted && iterator) {
    let page;
    try {
      page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: trigger.batchSize }));
    } catch (error) {
      // The iterator may have expired meanwhile: a new one, from where delivery stands.
      log(
        `[stream ${shardId}] GetRecords failed: ${(error as Error).message}; reading again from the first record not delivered`,
      );
      await abortableSleep(1000, signal);
      iterator = await iteratorAt();
      continue;
    }
    const records = page.Records ?? [];
    stats.lag = records.length;
    if (records.length === 0) {
      iterator = page.NextShardIterator;
      await abortableSleep(1000, signal);
      continue;
    }
    const failedAt = await deliver(records, streamArn, invoke, trigger.reportBatchItemFailures).catch(
      (error: Error) => {
        log(`[stream ${shardId}] batch failed: ${error.message}`);
        return records[0]?.dynamodb?.SequenceNumber;
      },
    );
    if (failedAt === undefined) {
      attempts = 0;
      resume = { type: 'AFTER_SEQUENCE_NUMBER', sequence: String(records.at(-1)?.dynamodb?.SequenceNumber) };
      iterator = page.NextShardIterator;
      continue;
    }
    attempts += 1;
    if (trigger.maximumRetryAttempts >= 0 && attempts > trigger.maximumRetryAttempts) {
      log(
        `[stream ${shardId}] giving up on the batch after ${attempts - 1} retries (maximumRetryAttempts), as Lambda does without an on-failure destination`,
      );
      attempts = 0;
      resume = { type: 'AFTER_SEQUENCE_NUMBER', sequence: String(records.at(-1)?.dynamodb?.SequenceNumber) };
      iterator = page.NextShardIterator;
      continue;
    }
    await abortableSleep(Math.min(10_000, 500 * 2 ** Math.min(attempts - 1, 5)), signal);
    resume = { type: 'AT_SEQUENCE_NUMBER', sequence: failedAt };
    iterator = await iteratorAt();
  }
}

/** Returns the sequence number to re-deliver from, or undefined when the whole batch succeeded. */
async function deliver(
  records: _Record[],
  streamArn: string,
  invoke: (event: unknown) => Promise<unknown>,
  reportsItemFailures: boolean,
): Promise<string | undefined> {
  const response = await invoke({ Records: records.map((r) => lambdaStreamRecord(r, streamArn)) });
  if (!reportsItemFailures) return undefined;
  const failures = (response as { batchItemFailures?: { itemIdentifier?: string }[] } | null)?.batchItemFailures ?? [];
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  // Lambda resumes from the lowest failed sequence number of the batch.
  return records.find((r) => failed.has(r.dynamodb?.SequenceNumber))?.dynamodb?.SequenceNumber;
}
