import type { ConnectionOptions } from 'node:tls';
import { compatibilityPartitioner, Producer, type SASLOptions, stringSerializer, UserError } from '@platformatic/kafka';
import type { KafkaAuth } from '../config';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  KAFKA_REFUSALS,
  type KafkaPublisherOptions,
  type OutgoingMessage,
  type Publisher,
  type PublishReceipt,
  requestChunks,
} from './kafka-publisher';
import { awsSaslCredentialSource, type SaslCredentialSource } from './kafka-security';
import { PartitionShares, SerialSends } from './serial-sends';

/**
 * KafkaPublisher's options without `socketFactory`: @platformatic/kafka opens its sockets itself
 * (`net.createConnection` / `tls.connect`) and takes no factory, so a slow network has to be put
 * between it and the broker as a proxy the broker's metadata points at.
 */
export type PlatformaticKafkaPublisherOptions = Omit<KafkaPublisherOptions, 'socketFactory'>;

type ChangeProducer = Producer<string, Buffer, string, string>;

/** The Kafka error type of a refusal anywhere in the error's tree (the library nests them in `errors` and `cause`). */
function refusalOf(error: unknown, depth = 0): string | undefined {
  const e = error as { apiId?: unknown; cause?: unknown; errors?: unknown } | undefined;
  if (!e || depth > 5) return undefined;
  if (typeof e.apiId === 'string' && KAFKA_REFUSALS.has(e.apiId)) return e.apiId;
  // The library replaces a metadata answer of UNKNOWN_TOPIC_OR_PARTITION with a UserError that
  // keeps neither the code nor a cause (clients/base/base.js); only its message says which it was.
  if (error instanceof UserError && /^Unknown topic /.test(error.message)) return 'UNKNOWN_TOPIC_OR_PARTITION';
  for (const inner of [...(Array.isArray(e.errors) ? e.errors : []), e.cause]) {
    const found = refusalOf(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A key's partition by kafkajs's default (Java's) rule, murmur2 masked positive, so a key stays
 * on the partition it had under kafkajs: the library's own default (`>>> 0`) differs from it for
 * negative hashes, which would move keys and break their order across a switch of clients.
 */
export function partitionOfKey(message: { key: string; topic: string }, partitions: number): number {
  return compatibilityPartitioner(message, Buffer.from(message.key)) % partitions;
}

/** The library's `tls` and `sasl` for the configured authentication (the same choices as kafkaSecurity). */
async function platformaticSecurity(
  auth: KafkaAuth,
  source: SaslCredentialSource,
): Promise<{ tls?: ConnectionOptions; tlsServerName?: boolean; sasl?: SASLOptions }> {
  // Node checks the chain and the broker's name either way; SNI carries the name, as kafkajs sends it.
  const tls = { tls: auth.ca === undefined ? {} : { ca: [auth.ca] }, tlsServerName: true };
  switch (auth.mechanism) {
    case 'none':
      return auth.tls ? tls : {};
    case 'iam':
      // MSK takes its IAM token over OAUTHBEARER; the provider is asked on every new connection.
      return { ...tls, sasl: { mechanism: 'OAUTHBEARER', token: () => source.iamToken(auth.region) } };
    case 'scram-sha-512': {
      const { username, password } = await source.scramCredentials(auth.secretArn);
      return { ...tls, sasl: { mechanism: 'SCRAM-SHA-512', username, password } };
    }
  }
}

/**
 * The Publisher port on @platformatic/kafka, with KafkaPublisher's semantics: one idempotent
 * producer per container (acks=all), sends one at a time, the same refusal/outage split and
 * cooldown, and receipts naming each message's partition.
 *
 * The library reserves a send's sequence numbers before it goes out and keeps them across its
 * retries, so overlapping sends would be safe with it; they stay serial here anyway so both
 * adapters give the same per-key order across requests and the same `acknowledged` count.
 *
 * Measured against kafkajs, not used by any function: @platformatic/kafka is a devDependency,
 * and this module is not exported from lib/publish (README, "Kafka client", says why).
 */
export class PlatformaticKafkaPublisher implements Publisher {
  private readonly credentials: SaslCredentialSource;
  private readonly sends: SerialSends<ChangeProducer>;

  constructor(private readonly options: PlatformaticKafkaPublisherOptions) {
    this.credentials = options.credentials ?? awsSaslCredentialSource();
    this.sends = new SerialSends<ChangeProducer>(
      {
        connect: () => this.connect(),
        disconnect: (producer) => producer.close(),
        sendChunk: (producer, topic, chunk, firstIndex) => this.sendChunk(producer, topic, chunk, firstIndex),
        refusalOf,
      },
      {
        cooldownMs: options.cooldownMs,
        now: options.now,
        chunks: (messages) => requestChunks(messages, options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES),
      },
    );
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    return this.sends.publish(topic, messages);
  }

  close(): Promise<void> {
    return this.sends.close();
  }

  /** One produce request, each message's partition chosen here so its receipt can name it. */
  private async sendChunk(
    producer: ChangeProducer,
    topic: string,
    chunk: readonly OutgoingMessage[],
    firstIndex: number,
  ): Promise<PublishReceipt[]> {
    const metadata = await producer.metadata({ topics: [topic] });
    const partitions = metadata.topics.get(topic)!.partitionsCount;
    const shares = new PartitionShares();
    const sent = chunk.map((m, i) => {
      const message = { topic, key: m.key, value: m.value, headers: { ...m.headers } };
      const partition = partitionOfKey(message, partitions);
      shares.note(partition, firstIndex + i);
      return { ...message, partition };
    });
    const written = await producer.send({ messages: sent });
    return shares.receipts(
      (written.offsets ?? []).map((r) => ({ partition: r.partition, baseOffset: String(r.offset) })),
    );
  }

  private async connect(): Promise<ChangeProducer> {
    const security = await platformaticSecurity(
      this.options.auth ?? { mechanism: 'none', tls: false },
      this.credentials,
    );
    const retries = this.options.retries ?? 2;
    const producer: ChangeProducer = new Producer({
      clientId: this.options.clientId,
      bootstrapBrokers: [...this.options.brokers],
      ...security,
      idempotent: true,
      acks: -1,
      autocreateTopics: false,
      connectTimeout: this.options.connectionTimeoutMs ?? 3000,
      requestTimeout: this.options.requestTimeoutMs ?? 10_000,
      // An idempotent producer given 1 retry (or none, as a number) retries forever in this
      // library; `false` means none, and 1 becomes 2, the nearest bounded count it keeps.
      retries: retries <= 0 ? false : Math.max(retries, 2),
      // kafkajs's backoff here: 200 ms doubling to 2 s.
      retryDelay: (_client, _operation, attempt) => Math.min(2000, 200 * 2 ** (attempt - 1)),
      serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    });
    return producer;
  }
}
