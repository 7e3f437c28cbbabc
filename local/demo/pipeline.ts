import { GlueClient } from '@aws-sdk/client-glue';
import type { Kafka } from 'kafkajs';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { localClientConfig } from '../../stage/local-aws';
import { localKafka } from '../kafka-client';

export interface TopicMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The Avro record decoded from Glue's wire format. */
  readonly value: Record<string, unknown>;
}

/** A message the reader could not decode, even after retrying its schema lookup. */
export interface UndecodableMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly eventId: string;
  readonly error: string;
}

/** Decodes, retrying a few times: a registry lookup failing once must not read as a missing message. */
async function decodeWithRetries(serde: GlueAvroSerde, bytes: Buffer): Promise<{ value: unknown } | { error: string }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { value: (await serde.decode(bytes)).value };
    } catch (error) {
      if (attempt >= 4) return { error: (error as Error).message };
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/**
 * Every message on a topic up to its current end, decoded with our Glue serde (so what is
 * checked is real Avro on Kafka), in partition order. Messages that cannot be decoded (e.g.
 * not Glue-framed Avro) are returned apart, with their key and event-id header.
 */
export async function consumeTopic(
  topic: string,
  registryName: string,
): Promise<{ messages: TopicMessage[]; undecodable: UndecodableMessage[] }> {
  const kafka = localKafka('cdc-reader');
  const ends = await topicEnds(kafka, topic);
  const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const glue = new GlueClient(localClientConfig());
  const serde = new GlueAvroSerde(
    new SchemaCache(new GlueSchemaRegistry(glue, registryName), { latestTtlMs: 60_000, maxEntries: 50 }),
  );
  const messages: TopicMessage[] = [];
  const undecodable: UndecodableMessage[] = [];
  const consumer = kafka.consumer({ groupId: `cdc-reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const done = (): boolean => [...remaining.values()].every((high) => high <= 0);
      if (done()) return resolve();
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const decoded = await decodeWithRetries(serde, message.value ?? Buffer.alloc(0));
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            const where = { partition, offset: Number(message.offset), key: String(message.key) };
            if ('error' in decoded)
              undecodable.push({ ...where, eventId: headers['cdc-event-id'] ?? '', error: decoded.error });
            else messages.push({ ...where, headers, value: decoded.value as Record<string, unknown> });
            const high = Number(ends.find((p) => p.partition === partition)?.high ?? 0);
            if (Number(message.offset) + 1 >= high) remaining.set(partition, 0);
            if (done()) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    glue.destroy();
  }
  messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return { messages, undecodable };
}

/** The end offset of each partition; retried while a just-restarted broker is still loading its partitions. */
export async function topicEnds(kafka: Kafka, topic: string): Promise<{ partition: number; high: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await admin.fetchTopicOffsets(topic);
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= 30) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
