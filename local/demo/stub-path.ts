import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { localClientConfig, localKafkaBrokers } from '../aws';
import type { SourceEvent } from './source';

/**
 * The foundation's stub path through the real services: JSON (not yet Glue-framed Avro) to the
 * entity's topic, read back by a consumer group, one JSON-lines object in the raw bucket.
 * The poller, consumer and Spark issues replace each hop with the real handler.
 */
export async function pushThroughKafka(topic: string, events: SourceEvent[]): Promise<SourceEvent[]> {
  const kafka = new Kafka({ clientId: 'cdc-demo', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const start = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: events.map((e) => ({ key: e.id, value: JSON.stringify(e), headers: { 'cdc-op': e.op, 'cdc-entity': topic } })),
  });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `cdc-demo-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic });
  const received: SourceEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    if (events.length === 0) resolve();
    consumer.run({
      eachMessage: async ({ message }) => {
        received.push(JSON.parse(String(message.value)) as SourceEvent);
        if (received.length === events.length) resolve();
      },
    }).catch(reject);
    // Read only what this run produced: from each partition's end offset before the send.
    for (const p of start) consumer.seek({ topic, partition: p.partition, offset: p.offset });
  });
  await consumer.disconnect();
  return received;
}

export async function writeRawObject(bucket: string, entity: string, events: SourceEvent[]): Promise<string> {
  const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  try {
    const dt = new Date().toISOString().slice(0, 10);
    const key = `raw/entity=${entity}/dt=${dt}/demo-${Date.now()}.jsonl`;
    const body = events.map((e) => JSON.stringify({ ...e.data, _op: e.op, _updated_at: e.updatedAt })).join('\n');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${body}\n`, ContentType: 'application/x-ndjson' }));
    return key;
  } finally {
    s3.destroy();
  }
}
