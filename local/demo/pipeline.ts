import { GlueClient } from '@aws-sdk/client-glue';
import { Kafka, logLevel } from 'kafkajs';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { localClientConfig, localKafkaBrokers } from '../aws';

/** Every message on a topic, decoded with our Glue serde (so the demo shows real Avro on Kafka). */
export async function readTopic(topic: string, registryName: string): Promise<{ seen: Map<string, Set<string>>; undecodable: number }> {
  const kafka = new Kafka({ clientId: 'cdc-demo', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const glue = new GlueClient(localClientConfig());
  const serde = new GlueAvroSerde(new SchemaCache(new GlueSchemaRegistry(glue, registryName), { latestTtlMs: 60_000, maxEntries: 50 }));
  const seen = new Map<string, Set<string>>();
  let undecodable = 0;
  const consumer = kafka.consumer({ groupId: `cdc-demo-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const done = (): boolean => [...remaining.values()].every((high) => high <= 0);
    if (done()) return resolve();
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        // A message that is not ours (e.g. written by hand) is counted, not retried forever.
        const decoded = await serde.decode(message.value ?? Buffer.alloc(0)).catch(() => undefined);
        if (decoded === undefined) undecodable += 1;
        else {
          const key = String(decoded.value.id);
          if (!seen.has(key)) seen.set(key, new Set());
          seen.get(key)?.add(String(decoded.value.updatedAt));
        }
        const high = Number(ends.find((p) => p.partition === partition)?.high ?? 0);
        if (Number(message.offset) + 1 >= high) remaining.set(partition, 0);
        if (done()) resolve();
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  glue.destroy();
  return { seen, undecodable };
}
