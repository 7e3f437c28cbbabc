import { CompressionTypes, Kafka, type ISocketFactory, type Producer, logLevel } from 'kafkajs';
import type { KafkaAuth } from '../config';
import { KafkaUnavailableError } from './errors';
import { awsSaslCredentialSource, kafkaSecurity, type SaslCredentialSource } from './kafka-security';

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** A change as it goes on its topic: key = id, the Glue-framed Avro value, and metadata headers. */
export function changeMessage(entity: string, record: { id: string; eventId: string; op: string }, schemaVersionId: string, bytes: Buffer): OutgoingMessage {
  return { key: record.id, value: bytes, headers: { 'cdc-event-id': record.eventId, 'cdc-entity': entity, 'cdc-op': record.op, 'cdc-schema-version-id': schemaVersionId } };
}

/** Where Kafka wrote a partition's share of a send: the offset of its first message. */
export interface PublishReceipt {
  readonly partition: number;
  readonly baseOffset: string;
}

/** The poller's and retry function's port to Kafka. */
export interface Publisher {
  /**
   * All messages are acknowledged by all in-sync replicas, in order per key, or it throws
   * KafkaUnavailableError. Returns where each partition's messages were written.
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
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private failed: { at: number; message: string } | undefined;
  private readonly credentials: SaslCredentialSource;
  /** The send in progress, if any: the next one starts after it has settled. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: KafkaPublisherOptions) {
    this.credentials = options.credentials ?? awsSaslCredentialSource();
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    const sent = this.turn.then(() => this.publishNow(topic, messages));
    this.turn = sent.catch(() => undefined);
    return sent;
  }

  private async publishNow(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    if (messages.length === 0) return [];
    const now = this.options.now ?? Date.now;
    const cooldownMs = this.options.cooldownMs ?? 5000;
    if (this.failed !== undefined && now() - this.failed.at < cooldownMs) {
      throw new KafkaUnavailableError(`Kafka did not acknowledge ${messages.length} message(s) to ${topic}: unreachable ${now() - this.failed.at} ms ago (${this.failed.message}); next attempt after a ${cooldownMs} ms pause`);
    }
    try {
      const producer = await this.connected();
      const written = await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
      });
      this.failed = undefined;
      return written.map((r) => ({ partition: r.partition, baseOffset: String(r.baseOffset) }));
    } catch (error) {
      this.failed = { at: now(), message: (error as Error).message };
      // A producer that failed may hold a broken connection: start clean next time.
      await this.reset();
      throw new KafkaUnavailableError(`Kafka did not acknowledge ${messages.length} message(s) to ${topic}: ${(error as Error).message}`, error);
    }
  }

  /** Closes the producer once the send in progress has settled (the next send connects again). */
  close(): Promise<void> {
    const closed = this.turn.then(() => this.reset());
    this.turn = closed.catch(() => undefined);
    return closed;
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
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
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
