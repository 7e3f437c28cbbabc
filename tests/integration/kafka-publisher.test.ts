import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import {
  KafkaPublisher,
  type KafkaPublisherOptions,
  KafkaRefusedError,
  KafkaUnavailableError,
  type Publisher,
} from '../../lib/publish';
import { PlatformaticKafkaPublisher } from '../../lib/publish/platformatic-publisher';
import { localKafkaBrokers } from '../helpers/local-stack';
import { createTopicsReady } from '../../local/provision/kafka-topics';

const kafka = new Kafka({ clientId: 'it-publisher', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });

async function newTopic(partitions: number): Promise<string> {
  const topic = `it.publish.${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReady(admin, [{ topic, numPartitions: partitions }]);
  await admin.disconnect();
  return topic;
}

/** Every value on a one-partition topic, in offset order. */
async function valuesOf(topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: `it-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(String(message.value));
          if (Number(message.offset) + 1 >= Number(end!.high)) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values;
}

/** Calls `onFrame` with each whole Kafka frame (4-byte size, then that many bytes) of a byte stream. */
function kafkaFrames(onFrame: (frame: Buffer) => void): (bytes: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (bytes) => {
    pending = Buffer.concat([pending, bytes]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  };
}

/**
 * A network path to the broker whose replies can be held back: `hold(ms)` delays everything
 * the broker sends for the next `ms` milliseconds (requests still reach it at once), as a
 * broker busy after a restart answers late. The broker's own address in its answers (metadata)
 * is rewritten to the path's, so a client without a socket factory comes back through it too;
 * `produceRequests` counts the produce requests that went through.
 */
async function slowReplies(): Promise<{
  port: number;
  produceRequests(): number;
  hold(ms: number): void;
  close(): Promise<void>;
}> {
  const [host, port] = localKafkaBrokers()[0]!.split(':');
  const advertised = (p: number) => {
    const address = Buffer.alloc(host!.length + 4);
    address.write(host!);
    address.writeInt32BE(p, host!.length);
    return address;
  };
  let heldUntil = 0;
  let produceRequests = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const broker = net.connect(Number(port), host);
    const ownAddress = advertised((server.address() as net.AddressInfo).port);
    const brokerAddress = advertised(Number(port));
    let replies = Promise.resolve();
    client.on(
      'data',
      kafkaFrames((frame) => {
        if (frame.readInt16BE(4) === 0) produceRequests += 1;
        broker.write(frame);
      }),
    );
    broker.on(
      'data',
      kafkaFrames((frame) => {
        for (let at = frame.indexOf(brokerAddress); at >= 0; at = frame.indexOf(brokerAddress, at + 1))
          ownAddress.copy(frame, at);
        const wait = Math.max(0, heldUntil - Date.now());
        replies = replies.then(
          () => new Promise((resolve) => setTimeout(() => resolve(void client.write(frame)), wait)),
        );
      }),
    );
    for (const [a, b] of [
      [client, broker],
      [broker, client],
    ] as const) {
      sockets.add(a);
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    produceRequests: () => produceRequests,
    hold: (ms) => void (heldUntil = Date.now() + ms),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The two adapters of the Publisher port, run through the same contract. `throughProxy` is how
 * each is made to reach the broker only through a local proxy: kafkajs by its socket factory,
 * @platformatic/kafka (which takes none) by the proxy's rewritten metadata alone.
 */
const clients: {
  name: string;
  create(options: KafkaPublisherOptions): Publisher;
  throughProxy(port: number): Partial<KafkaPublisherOptions>;
}[] = [
  {
    name: 'kafkajs',
    create: (options) => new KafkaPublisher(options),
    throughProxy: (port) => ({
      socketFactory: ({ onConnect }) => net.connect({ host: '127.0.0.1', port }, onConnect),
    }),
  },
  {
    name: '@platformatic/kafka',
    create: ({ socketFactory, ...options }) => {
      if (socketFactory) throw new Error('@platformatic/kafka takes no socket factory');
      return new PlatformaticKafkaPublisher(options);
    },
    throughProxy: () => ({}),
  },
];

describe.each(clients)('the Kafka publisher on $name', (client) => {
  it('publishes with key and headers, in order per key, reusing one producer', async () => {
    const topic = await newTopic(3);
    const publisher = client.create({ brokers: localKafkaBrokers(), clientId: 'it' });
    const receipts = new Map<string, string>();
    for (let batch = 0; batch < 3; batch += 1) {
      const written = await publisher.publish(
        topic,
        ['k1', 'k2'].flatMap((key) =>
          [0, 1].map((i) => ({ key, value: Buffer.from(`${key}-${batch}-${i}`), headers: { 'cdc-op': 'UPSERT' } })),
        ),
      );
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
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            (seen[String(message.key)] ??= []).push(String(message.value));
            at.set(`${partition}/${message.offset}`, String(message.value));
            expect(String(message.headers?.['cdc-op'])).toBe('UPSERT');
            if (++n === 12) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    for (const key of ['k1', 'k2'])
      expect(seen[key]).toEqual([0, 1, 2].flatMap((b) => [`${key}-${b}-0`, `${key}-${b}-1`]));
    // Each receipt names where its batch's first message for that partition is.
    expect(receipts.size).toBeGreaterThan(0);
    for (const [where, batch] of receipts) expect(at.get(where)).toMatch(new RegExp(`^k\\d-${batch.slice(-1)}-0$`));
  });

  it('loses nothing when sends overlap and the broker answers after the request timeout (each message once)', async () => {
    const topic = await newTopic(1);
    const network = await slowReplies();
    // Every connection, to the bootstrap address and to the broker it advertises, goes through the slow path.
    const publisher = client.create({
      brokers: [`127.0.0.1:${network.port}`],
      clientId: 'it-slow',
      requestTimeoutMs: 1000,
      ...client.throughProxy(network.port),
    });
    const message = (value: string) => [{ key: value, value: Buffer.from(value), headers: {} }];
    try {
      await publisher.publish(topic, message('warm-up'));
      // The first send times out although the broker wrote it, while the second waits for its turn,
      // as the retry function's concurrent keys do. Both must end up on the topic, each once.
      network.hold(1500);
      const sent = await Promise.allSettled([
        publisher.publish(topic, message('A')),
        publisher.publish(topic, message('B')),
      ]);
      expect(sent.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
      // The slow path was the only one: warm-up, A, A's retry after its timeout, and B.
      expect(network.produceRequests()).toBeGreaterThanOrEqual(4);
    } finally {
      await publisher.close();
      await network.close();
    }
    expect(await valuesOf(topic)).toEqual(['warm-up', 'A', 'B']);
  });

  it('reports an unreachable broker within seconds as KAFKA_UNAVAILABLE, retriable', async () => {
    const publisher = client.create({
      brokers: ['127.0.0.1:9'],
      clientId: 'it',
      connectionTimeoutMs: 500,
      retries: 1,
    });
    const started = Date.now();
    const error = await publisher
      .publish('cdc.customer', [{ key: 'k', value: Buffer.from('v'), headers: {} }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(error).toMatchObject({ reason: 'KAFKA_UNAVAILABLE', retriable: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails at once during the pause after a failure, and tries the broker again after it', async () => {
    let clock = 0;
    const publisher = client.create({
      brokers: ['127.0.0.1:9'],
      clientId: 'it',
      connectionTimeoutMs: 300,
      retries: 0,
      cooldownMs: 5000,
      now: () => clock,
    });
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

describe.each(clients)("the Kafka publisher on $name and the broker's limits (real broker)", (client) => {
  it('publishes a page of 500 records of 8 KB, more than one produce request may carry, in order', async () => {
    const topic = await newTopic(1);
    const publisher = client.create({ brokers: localKafkaBrokers(), clientId: 'it-big-page' });
    try {
      const messages = Array.from({ length: 500 }, (_, i) => ({
        key: 'k',
        value: Buffer.from(`${String(i).padStart(4, '0')}${'x'.repeat(8000)}`),
        headers: { 'cdc-event-id': String(i) },
      }));
      const receipts = await publisher.publish(topic, messages);
      expect(receipts.length).toBeGreaterThan(1);
      const values = await valuesOf(topic);
      expect(values.map((v) => v.slice(0, 4))).toEqual(messages.map((_, i) => String(i).padStart(4, '0')));
    } finally {
      await publisher.close();
    }
  });

  it('tells a refusal (a topic that does not exist) from an outage: no pause, and the next send goes through at once', async () => {
    const topic = await newTopic(1);
    const publisher = client.create({ brokers: localKafkaBrokers(), clientId: 'it-refused', cooldownMs: 60_000 });
    try {
      const refused = await publisher
        .publish(`it.missing.${randomUUID().slice(0, 8)}`, [{ key: 'k', value: Buffer.from('v'), headers: {} }])
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(KafkaRefusedError);
      expect(refused).toMatchObject({
        kafkaErrorType: 'UNKNOWN_TOPIC_OR_PARTITION',
        reason: 'KAFKA_REFUSED',
        acknowledged: 0,
      });
      await publisher.publish(topic, [{ key: 'k', value: Buffer.from('after'), headers: {} }]);
      expect(await valuesOf(topic)).toEqual(['after']);
    } finally {
      await publisher.close();
    }
  });

  it('a request the broker refuses as too large is a refusal, not an outage', async () => {
    const topic = await newTopic(1);
    // A limit above the broker's own, so the second request is refused by the broker itself.
    const publisher = client.create({
      brokers: localKafkaBrokers(),
      clientId: 'it-too-large',
      maxRequestBytes: 4 * 1024 * 1024,
    });
    try {
      const small = { key: 'k', value: Buffer.from('small'), headers: {} };
      const huge = Array.from({ length: 300 }, () => ({ key: 'k', value: Buffer.alloc(8000, 120), headers: {} }));
      await publisher.publish(topic, [small]);
      const refused = await publisher.publish(topic, huge).catch((e: unknown) => e);
      expect(refused).toMatchObject({ kafkaErrorType: 'MESSAGE_TOO_LARGE', acknowledged: 0 });
      expect(refused).not.toBeInstanceOf(KafkaUnavailableError);
    } finally {
      await publisher.close();
    }
  });
});
