import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type EachBatchPayload, Kafka, type KafkaConfig, type KafkaMessage, logLevel } from 'kafkajs';
import { readUsernamePassword } from '../../lib/secrets/username-password';
import { localClientConfig } from '../../stage/local-aws';
import type { MskTrigger } from './definitions';
import { type Condition, type FailureDestination, failureObject } from './msk-on-failure';

/** The MSK event as Lambda delivers it (AWS documents this shape for the MSK event source). */
export interface MskEvent {
  eventSource: 'aws:kafka';
  eventSourceArn: string;
  bootstrapServers: string;
  records: Record<string, MskRecord[]>;
}

export interface MskRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key?: string;
  value: string;
  headers: Record<string, number[]>[];
}

export function mskRecord(topic: string, partition: number, message: KafkaMessage): MskRecord {
  const record: MskRecord = {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: 'CREATE_TIME',
    value: message.value ? message.value.toString('base64') : '',
    headers: Object.entries(message.headers ?? {}).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => ({ [name]: [...Buffer.from(v ?? '')] })),
    ),
  };
  if (message.key) record.key = message.key.toString('base64');
  return record;
}

export interface MskStats {
  lag: number;
}

/**
 * The MSK event source mapping: a consumer group per function, batches of at most batchSize
 * records, offsets committed only after the handler succeeded; a failed batch is retried (with
 * backoff) until it succeeds, or, with the mapping's limits, until its retries are spent, and
 * records older than the maximum age are not delivered: both go whole to the S3 on-failure
 * destination, written as Lambda writes it, before the offset moves past them. Batches hold the
 * records of one partition. Like the mapping, it never gives up
 * on the cluster: a consumer that cannot connect (the broker down as the runtime starts) or that
 * crashes for good is started again after a pause, until the runner stops.
 */
export async function runMskTrigger(
  trigger: MskTrigger,
  brokers: string[],
  invoke: (event: MskEvent) => Promise<unknown>,
  signal: AbortSignal,
  stats: MskStats,
  log: (line: string) => void,
  failures?: FailureDestination,
): Promise<void> {
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  const delivery: Delivery = { trigger, brokers, invoke, signal, log, failures };
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      await consumeUntilStoppedOrCrashed(delivery, stopped, stats);
    } catch (error) {
      log(
        `[msk ${trigger.topic}] consumer failed (attempt ${attempt}): ${(error as Error).message}; starting it again`,
      );
    }
    if (!signal.aborted)
      await Promise.race([
        stopped,
        new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)))),
      ]);
  }
}

/** One consumer's life: returns when the runner stops; throws when it cannot start or crashes without restarting itself. */
async function consumeUntilStoppedOrCrashed(
  delivery: Delivery,
  stopped: Promise<void>,
  stats: MskStats,
): Promise<void> {
  const { trigger, brokers } = delivery;
  const kafka = new Kafka({
    clientId: `local-runtime-${trigger.consumerGroupId}`,
    brokers,
    logLevel: logLevel.NOTHING,
    ...(await mappingSecurity(trigger)),
  });
  const consumer = kafka.consumer({
    groupId: trigger.consumerGroupId,
    maxWaitTimeInMs: Math.max(100, trigger.batchingWindowSeconds * 1000),
    retry: { retries: 10 },
  });
  // kafkajs restarts a consumer after a retriable crash by itself; one it does not restart is over.
  const crashed = new Promise<never>((_, reject) =>
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) reject(payload.error);
    }),
  );
  crashed.catch(() => undefined);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: trigger.topic, fromBeginning: trigger.startingPosition === 'TRIM_HORIZON' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload: EachBatchPayload) =>
        deliverBatch(delivery, payload, stats, (offset) =>
          consumer.commitOffsets([{ topic: payload.batch.topic, partition: payload.batch.partition, offset }]),
        ),
    });
    await Promise.race([stopped, crashed]);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * How the mapping logs in: with `saslScram512`, SCRAM-SHA-512 over TLS with the secret's
 * username and password, read when the consumer starts (as Lambda reads it when its pollers
 * connect), trusting the stage's CA file. A secret that cannot be read fails the start, and the
 * runner tries again after its pause.
 */
async function mappingSecurity(trigger: MskTrigger): Promise<Pick<KafkaConfig, 'ssl' | 'sasl'>> {
  if (trigger.saslScram512 === undefined) return {};
  const client = new SecretsManagerClient(localClientConfig());
  try {
    const { username, password } = await readUsernamePassword(
      client,
      trigger.saslScram512,
      (problem, cause) => new Error(`the msk event's saslScram512: ${problem}`, { cause }),
    );
    return {
      ssl: trigger.caFile === undefined ? true : { ca: [readFileSync(trigger.caFile, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username, password },
    };
  } finally {
    client.destroy();
  }
}

interface Delivery {
  readonly trigger: MskTrigger;
  readonly brokers: string[];
  readonly invoke: (event: MskEvent) => Promise<unknown>;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly failures?: FailureDestination;
}

/** Whether the trigger may go on: false once the runner stops or the partition is taken away. */
type Running = () => boolean;

async function deliverBatch(
  delivery: Delivery,
  { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  stats: MskStats,
  commit: (nextOffset: string) => Promise<void>,
): Promise<void> {
  const { trigger } = delivery;
  const running: Running = () => !delivery.signal.aborted && isRunning() && !isStale();
  stats.lag = Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
  for (let start = 0; start < batch.messages.length; start += trigger.batchSize) {
    const chunk = batch.messages.slice(start, start + trigger.batchSize);
    const records = chunk.map((m) => mskRecord(batch.topic, batch.partition, m));
    const maxAgeMs = (trigger.maximumRecordAgeSeconds ?? -1) * 1000;
    const now = Date.now();
    const expired = maxAgeMs < 0 ? [] : records.filter((r) => now - r.timestamp > maxAgeMs);
    const live = records.filter((r) => !expired.includes(r));
    // Abandon the in-flight batch on shutdown without committing it: it is delivered again next time.
    if (expired.length > 0 && !(await giveUp(delivery, eventOf(delivery, expired), 'RecordAgeExceeded', 0, running)))
      return;
    if (live.length > 0 && !(await invokeWithRetries(delivery, eventOf(delivery, live), running, heartbeat))) return;
    const last = chunk[chunk.length - 1];
    if (last) {
      resolveOffset(last.offset);
      // Committed offset = the next one to read, and only once the handler has succeeded (or the batch was given up on).
      await commit(String(Number(last.offset) + 1));
    }
    await heartbeat();
  }
}

function eventOf({ trigger, brokers }: Delivery, records: MskRecord[]): MskEvent {
  const first = records[0]!;
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: trigger.arn,
    bootstrapServers: brokers.join(','),
    records: { [`${first.topic}-${first.partition}`]: records },
  };
}

/** True once the handler took the batch or it was given up on; false when the trigger stopped first. */
async function invokeWithRetries(
  delivery: Delivery,
  event: MskEvent,
  running: Running,
  heartbeat: () => Promise<void>,
): Promise<boolean> {
  const retries = delivery.trigger.maximumRetryAttempts ?? -1;
  for (let attempt = 1; ; attempt += 1) {
    if (!running()) return false;
    try {
      await delivery.invoke(event);
      return true;
    } catch (error) {
      const [partition, records] = Object.entries(event.records)[0]!;
      delivery.log(
        `[msk ${partition}] batch at offset ${records[0]?.offset} failed (attempt ${attempt}): ${(error as Error).message}; ${retries >= 0 && attempt > retries ? 'retries spent' : 'retrying'}`,
      );
      if (retries >= 0 && attempt > retries) return giveUp(delivery, event, 'RetryAttemptsExhausted', attempt, running);
      await pause(attempt, delivery.signal);
      await heartbeat();
    }
  }
}

/**
 * Writes the batch to the on-failure destination, asking again while S3 fails: the offset moves
 * past the records only once they are there. Without a destination they are dropped, as Lambda does.
 */
async function giveUp(
  delivery: Delivery,
  event: MskEvent,
  condition: Condition,
  invokeCount: number,
  running: Running,
): Promise<boolean> {
  const bucket = delivery.trigger.onFailureBucket;
  const [partition, records] = Object.entries(event.records)[0]!;
  if (bucket === undefined || delivery.failures === undefined) {
    delivery.log(
      `[msk ${partition}] ${records.length} record(s) dropped (${condition}): the mapping has no on-failure destination`,
    );
    return true;
  }
  const { key, body } = failureObject(delivery.trigger, event, condition, invokeCount, new Date());
  for (let attempt = 1; running(); attempt += 1) {
    try {
      await delivery.failures.put(bucket, key, body);
      delivery.log(`[msk ${partition}] ${records.length} record(s) sent to s3://${bucket}/${key} (${condition})`);
      return true;
    } catch (error) {
      delivery.log(
        `[msk ${partition}] writing to the on-failure destination failed (attempt ${attempt}): ${(error as Error).message}; retrying`,
      );
      await pause(attempt, delivery.signal);
    }
  }
  return false;
}

function pause(attempt: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6)));
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
