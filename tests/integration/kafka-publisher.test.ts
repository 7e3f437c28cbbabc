import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaPublisher, KafkaUnavailableError } from '../../lib/publish';
import { localKafkaBrokers } from '../helpers/local-stack';

const kafka = new Kafka({ clientId: 'it-publisher', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });

describe('the Kafka publisher', () => {
  it('publishes with key and headers, in order per key, reusing one producer', async () => {
    const topic = `it.publish.${randomUUID().slice(0, 8)}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const publisher = new KafkaPublisher({ brokers: localKafkaBrokers(), clientId: 'it' });
    const receipts = new Map<string, string>();
    for (let batch = 0; batch < 3; batch += 1) {
      const written = await publisher.publish(topic, ['k1', 'k2'].flatMap((key) => [0, 1].map((i) => ({ key, value: Buffer.from(`${key}-${batch}-${i}`), headers: { 'cdc-op': 'UPSERT' } }))));
      for (const r of written) receipts.set(`${r.partition}/${r.baseOffset}`, `batch ${batch}`);
    }
    await publisher.close();
    const consumer = kafka.consumer({ groupId: `it-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Record<string, string[]> = {};
    const at = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      let n = 0;
      consumer.run({
        eachMessage: async ({ partition, message }) => {
          (seen[String(message.key)] ??= []).push(String(message.value));
          at.set(`${partition}/${message.offset}`, String(message.value));
          expect(String(message.headers?.['cdc-op'])).toBe('UPSERT');
          if (++n === 12) resolve();
        },
      }).catch(reject);
    });
    await consumer.disconnect();
    for (const key of ['k1', 'k2']) expect(seen[key]).toEqual([0, 1, 2].flatMap((b) => [`${key}-${b}-0`, `${key}-${b}-1`]));
    // Each receipt names where its batch's first message for that partition is.
    expect(receipts.size).toBeGreaterThan(0);
    for (const [where, batch] of receipts) expect(at.get(where)).toMatch(new RegExp(`^k\\d-${batch.slice(-1)}-0$`));
  });

  it('reports an unreachable broker within seconds as KAFKA_UNAVAILABLE, retriable', async () => {
    const publisher = new KafkaPublisher({ brokers: ['127.0.0.1:9'], clientId: 'it', connectionTimeoutMs: 500, retries: 1 });
    const started = Date.now();
    const error = await publisher.publish('cdc.customer', [{ key: 'k', value: Buffer.from('v'), headers: {} }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(error).toMatchObject({ reason: 'KAFKA_UNAVAILABLE', retriable: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails at once during the pause after a failure, and tries the broker again after it', async () => {
    let clock = 0;
    const publisher = new KafkaPublisher({ brokers: ['127.0.0.1:9'], clientId: 'it', connectionTimeoutMs: 300, retries: 0, cooldownMs: 5000, now: () => clock });
    const message = [{ key: 'k', value: Buffer.from('v'), headers: {} }];
    const first = await publisher.publish('cdc.customer', message).catch((e: unknown) => e);
    expect(String(first)).not.toContain('pause');
    clock = 4999;
    const paused = await publisher.publish('cdc.customer', message).catch((e: unknown) => e);
    expect(paused).toBeInstanceOf(KafkaUnavailableError);
    expect(String(paused)).toContain('unreachable 4999 ms ago');
    clock = 5000;
    const probed = await publisher.publish('cdc.customer', message).catch((e: unknown) => e);
    expect(probed).toBeInstanceOf(KafkaUnavailableError);
    expect(String(probed)).not.toContain('pause');
  });
});
