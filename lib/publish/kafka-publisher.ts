import { CompressionTypes, Kafka, type ISocketFactory, logLevel, Partitioners, type Producer } from 'kafkajs';
import { inChunks } from '../batch/chunks';
import type { KafkaAuth } from '../config';
import { PartitionShares, SerialSends } from './serial-sends';
import { awsSaslCredentialSource, kafkaSecurity, type SaslCredentialSource } from './kafka-security';

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** A change as it goes on its topic: key = id, the Glue-framed Avro value, and metadata headers. */
export function changeMessage(
  entity: string,
  record: { id: string; eventId: string; op: string },
  schemaVersionId: string,
  bytes: Buffer,
): OutgoingMessage {
  return {
    key: record.id,
    value: bytes,
    headers: {
      'cdc-event-id': record.eventId,
      'cdc-entity': entity,
      'cdc-op': record.op,
      'cdc-schema-version-id': schemaVersionId,
    },
  };
}

/** 900 KiB: under the 1 MiB `message.max.bytes` that Kafka and MSK brokers default to. */
export const DEFAULT_MAX_REQUEST_BYTES = 900 * 1024;
/** Kafka's per-record overhead in a record batch (varints, attributes), rounded up. */
const RECORD_OVERHEAD_BYTES = 64;

const messageBytes = (m: OutgoingMessage): number =>
  RECORD_OVERHEAD_BYTES +
  m.value.length +
  Buffer.byteLength(m.key) +
  Object.entries(m.headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 8, 0);

/** Messages in consecutive requests of at most `maxBytes` each (a message larger than that alone in its request). */
export function requestChunks(messages: readonly OutgoingMessage[], maxBytes: number): OutgoingMessage[][] {
  return inChunks(messages, messageBytes, { maxBytes });
}

/**
 * Kafka error codes that say the broker will not take these messages as they are, whatever the
 * retries: sizes, authorisation, and a topic that still does not exist after kafkajs's own
 * retries (auto-creation is off; the deployment creates topics).
 */
export const KAFKA_REFUSALS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_TOPIC_EXCEPTION',
]);

/** The Kafka error type of a refusal anywhere in the error's causes (kafkajs wraps them), else undefined. */
function refusalOf(error: unknown): string | undefined {
  for (
    let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = (e.cause ?? e.originalError) as typeof e, depth += 1
  ) {
    if (typeof e.type === 'string' && KAFKA_REFUSALS.has(e.type)) return e.type;
  }
  return undefined;
}

/** Where Kafka wrote a partition's share of a send: the offset of its first message. */
export interface PublishReceipt {
  readonly partition: number;
  readonly baseOffset: string;
  /**
   * Which of the published messages (their indexes, in offset order from `baseOffset`) this
   * share holds, when the publisher knows: the offset of each message (see positionsOf).
   */
  readonly messages?: readonly number[];
}

/** Where each of `count` published messages was written, from the receipts; undefined where they do not say. */
export function positionsOf(
  receipts: readonly PublishReceipt[],
  count: number,
): ({ partition: number; offset: string } | undefined)[] {
  const positions: ({ partition: number; offset: string } | undefined)[] = new Array(count).fill(undefined);
  for (const receipt of receipts)
    receipt.messages?.forEach((message, i) => {
      positions[message] = { partition: receipt.partition, offset: String(BigInt(receipt.baseOffset) + BigInt(i)) };
    });
  return positions;
}

/** The poller's and retry function's port to Kafka. */
export interface Publisher {
  /**
   * All messages are acknowledged by all in-sync replicas, in order per key, or it throws
   * KafkaUnavailableError (an outage) or KafkaRefusedError (the broker refused them), each
   * saying how many messages, from the first, were acknowledged before. Returns where each
   * partition's messages were written.
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]>;
  close(): Promise<void>;
}

export interface KafkaPublisherOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS and SASL (MSK IAM or SCRAM); plaintext without it. */
  readonly auth?: KafkaAuth;
  /** Where SASL credentials come from; the AWS SDK's by default. */
  readonly credentials?: SaslCredentialSource;
  /** Short, so an unreachable broker is noticed in seconds and the events parked, not minutes. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retries?: number;
  /**
   * After a failure, publishing fails at once for this long instead of waiting for connection
   * timeouts again on every page: a run with Kafka down parks its pages in seconds, and probes
   * again after the pause, so Kafka coming back mid-run is noticed.
   */
  readonly cooldownMs?: number;
  readonly now?: () => number;
  /**
   * The most bytes one produce request carries (values, keys, headers and per-record overhead);
   * a larger send goes out as several requests, in order. Below the broker's `message.max.bytes`
   * (1 MiB by default, on MSK too), which bounds a partition's batch.
   */
  readonly maxRequestBytes?: number;
  /** How connections to the brokers are made (kafkajs's own by default); tests put a slow network in between. */
  readonly socketFactory?: ISocketFactory;
}

/**
 * One idempotent producer per container, connected on first use and reused across
 * invocations: acks=all, idempotence keeping per-partition order across kafkajs's retries.
 *
 * Sends go out one at a time. kafkajs's idempotent producer loses messages when sends overlap:
 * a request that times out after the broker wrote it gives its sequence numbers back, the next
 * send reuses them, and the broker drops that one as a duplicate while both sends report success
 * (`tests/integration/kafka-publisher.test.ts` shows it through a slow network; kafkajs issue
 * #1005 reports concurrent sends losing messages too). With one send at a time, only the timed-out
 * send's own retry can reuse its numbers, which is what idempotence is for.
 */
export class KafkaPublisher implements Publisher {
  private readonly credentials: SaslCredentialSource;
  /** The partition kafkajs's default partitioner chose for each message sent (for each message's offset). */
  private readonly partitionOf = new WeakMap<object, number>();
  private readonly sends: SerialSends<Producer>;

  constructor(private readonly options: KafkaPublisherOptions) {
    this.credentials = options.credentials ?? awsSaslCredentialSource();
    this.sends = new SerialSends<Producer>(
      {
        connect: () => this.connect(),
        disconnect: (producer) => producer.disconnect(),
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

  /** Closes the producer once the send in progress has settled (the next send connects again). */
  close(): Promise<void> {
    return this.sends.close();
  }

  private async sendChunk(
    producer: Producer,
    topic: string,
    chunk: readonly OutgoingMessage[],
    firstIndex: number,
  ): Promise<PublishReceipt[]> {
    const sent = chunk.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } }));
    const written = await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: sent });
    const shares = new PartitionShares();
    sent.forEach((m, i) => shares.note(this.partitionOf.get(m), firstIndex + i));
    return shares.receipts(written.map((r) => ({ partition: r.partition, baseOffset: String(r.baseOffset) })));
  }

  private async connect(): Promise<Producer> {
    const security = await kafkaSecurity(this.options.auth ?? { mechanism: 'none', tls: false }, this.credentials);
    const kafka = new Kafka({
      clientId: this.options.clientId,
      brokers: [...this.options.brokers],
      ...security,
      logLevel: logLevel.NOTHING,
      connectionTimeout: this.options.connectionTimeoutMs ?? 3000,
      requestTimeout: this.options.requestTimeoutMs ?? 10_000,
      retry: { retries: this.options.retries ?? 2, initialRetryTime: 200, maxRetryTime: 2000 },
      ...(this.options.socketFactory ? { socketFactory: this.options.socketFactory } : {}),
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      // kafkajs's own default partitioner, noting where each message goes.
      createPartitioner: () => {
        const partition = Partitioners.DefaultPartitioner();
        return (args) => {
          const chosen = partition(args);
          this.partitionOf.set(args.message, chosen);
          return chosen;
        };
      },
    });
    await producer.connect();
    return producer;
  }
}
