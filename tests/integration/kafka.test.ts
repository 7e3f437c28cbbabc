import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { entityNames, stageParam } from '../../stage/resolved-config';
import { localConfig, localKafkaBrokers } from '../helpers/local-stack';
import { createTopicsReady } from '../../local/provision/kafka-topics';

const kafka = new Kafka({ clientId: 'it-kafka', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });

describe('the local Kafka broker', () => {
  it('has one topic per entity with the configured partition count', async () => {
    const config = await localConfig();
    const expected = entityNames(config, 'local').map(
      (e) => `${String(stageParam(config, 'local', 'topicPrefix'))}.${e}`,
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: expected });
      expect(topics.map((t) => t.name).sort()).toEqual([...expected].sort());
      for (const t of topics) expect(t.partitions).toHaveLength(Number(stageParam(config, 'local', 'topicPartitions')));
    } finally {
      await admin.disconnect();
    }
  });

  it('gives back, in order, the messages produced with kafkajs', async () => {
    const topic = `it.roundtrip.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 5 }, (_, i) => ({
      key: 'c-1',
      value: `change-${i}`,
      headers: { 'cdc-op': 'UPSERT' },
    }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `it-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string; op: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push({
              key: String(message.key),
              value: String(message.value),
              op: String(message.headers?.['cdc-op']),
            });
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(received).toEqual(sent.map((m) => ({ key: m.key, value: m.value, op: 'UPSERT' })));
  });
});
