import { type EachBatchPayload, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import type { MskTrigger } from './definitions';

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
      (Array.isArray(value) ? value : [value]).map((v) => ({ [name]: [...Buffer.from(v ?? '')] }))),
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
 * backoff) until it succeeds or the runner stops, as Lambda retries an MSK batch until the
 * records expire. Batches hold the records of one partition. Like the mapping, it never gives up
 * on the cluster: a consumer that cannot connect (the broker down as the runtime starts) or that
 * crashes for good is started again after a pause, until the runner stops.
 */
export async function runMskTrigger(trigger: MskTrigger, brokers: string[], invoke: (event: MskEvent) => Promise<unknown>, signal: AbortSignal, stats: MskStats, log: (line: string) => void): Promise<void> {
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      await consumeUntilStoppedOrCrashed(trigger, brokers, invoke, signal, stopped, stats, log);
    } catch (error) {
      log(`[msk ${trigger.topic}] consumer failed (attempt ${attempt}): ${(error as Error).message}; starting it again`);
    }
    if (!signal.aborted) await Promise.race([stopped, new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** Math.min(attempt, 5))))]);
  }
}

/** One consumer's life: returns when the runner stops; throws when it cannot start or crashes without restarting itself. */
async function consumeUntilStoppedOrCrashed(
  trigger: MskTrigger, brokers: string[], invoke: (event: MskEvent) => Promise<unknown>, signal: AbortSignal, stopped: Promise<void>, stats: MskStats, log: (line: string) => void,
): Promise<void> {
  const kafka = new Kafka({ clientId: `local-runtime-${trigger.consumerGroupId}`, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: trigger.consumerGroupId, maxWaitTimeInMs: Math.max(100, trigger.batchingWindowSeconds * 1000), retry: { retries: 10 } });
  // kafkajs restarts a consumer after a retriable crash by itself; one it does not restart is over.
  const crashed = new Promise<never>((_, reject) => consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) reject(payload.error);
  }));
  crashed.catch(() => undefined);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: trigger.topic, fromBeginning: trigger.startingPosition === 'TRIM_HORIZON' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload: EachBatchPayload) => deliverBatch(trigger, brokers, payload, invoke, signal, stats, log,
        (offset) => consumer.commitOffsets([{ topic: payload.batch.topic, partition: payload.batch.partition, offset }])),
    });
    await Promise.race([stopped, crashed]);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

async function deliverBatch(
  trigger: MskTrigger, brokers: string[], { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
  invoke: (event: MskEvent) => Promise<unknown>, signal: AbortSignal, stats: MskStats, log: (line: string) => void,
  commit: (nextOffset: string) => Promise<void>,
): Promise<void> {
  stats.lag = Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
  for (let start = 0; start < batch.messages.length; start += trigger.batchSize) {
    const chunk = batch.messages.slice(start, start + trigger.batchSize);
    const event: MskEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: trigger.arn,
      bootstrapServers: brokers.join(','),
      records: { [`${batch.topic}-${batch.partition}`]: chunk.map((m) => mskRecord(batch.topic, batch.partition, m)) },
    };
    for (let attempt = 1; ; attempt += 1) {
      // Abandon the in-flight batch on shutdown without committing it: it is delivered again next time.
      if (signal.aborted || !isRunning() || isStale()) return;
      try {
        await invoke(event);
        break;
      } catch (error) {
        log(`[msk ${batch.topic}-${batch.partition}] batch at offset ${chunk[0]?.offset} failed (attempt ${attempt}): ${(error as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6))));
        await heartbeat();
      }
    }
    const last = chunk[chunk.length - 1];
    if (last) {
      resolveOffset(last.offset);
      // Committed offset = the next one to read, and only once the handler has succeeded.
      await commit(String(Number(last.offset) + 1));
    }
    await heartbeat();
  }
}
