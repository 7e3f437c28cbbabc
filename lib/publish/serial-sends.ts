import { KafkaUnavailableError, pausedFailure, sendFailure } from './errors';
import type { OutgoingMessage, PublishReceipt } from './kafka-publisher';

/** What a Kafka client library gives the Publisher port: a producer, one request's send, and its refusals. */
export interface ProducerDriver<P> {
  connect(): Promise<P>;
  disconnect(producer: P): Promise<void>;
  /** One produce request of `chunk`, whose first message is the send's `firstIndex`th: where each partition's share went. */
  sendChunk(
    producer: P,
    topic: string,
    chunk: readonly OutgoingMessage[],
    firstIndex: number,
  ): Promise<PublishReceipt[]>;
  /** The Kafka error type when the broker refused (see KAFKA_REFUSALS), else undefined: an outage. */
  refusalOf(error: unknown): string | undefined;
}

export interface SerialSendsOptions {
  readonly cooldownMs?: number;
  readonly now?: () => number;
  /** Splits a send into requests (requestChunks), sent in order. */
  readonly chunks: (messages: readonly OutgoingMessage[]) => OutgoingMessage[][];
}

/**
 * The Publisher port's behaviour, whatever the client library: one producer per container,
 * connected on first use and reused; sends one at a time, each request after the previous one,
 * so a key's messages keep their order; an outage closes the producer and starts the pause (see
 * KafkaPublisherOptions.cooldownMs), a refusal does neither; a failure says how many messages,
 * from the first, were acknowledged and where.
 */
export class SerialSends<P> {
  private producer: P | undefined;
  private connecting: Promise<P> | undefined;
  private failed: { at: number; message: string } | undefined;
  /** The send in progress, if any: the next one starts after it has settled. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly driver: ProducerDriver<P>,
    private readonly options: SerialSendsOptions,
  ) {}

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    const sent = this.turn.then(() => this.publishNow(topic, messages));
    this.turn = sent.catch(() => undefined);
    return sent;
  }

  /** Closes the producer once the send in progress has settled (the next send connects again). */
  close(): Promise<void> {
    const closed = this.turn.then(() => this.reset());
    this.turn = closed.catch(() => undefined);
    return closed;
  }

  private async publishNow(topic: string, messages: readonly OutgoingMessage[]): Promise<PublishReceipt[]> {
    if (messages.length === 0) return [];
    const now = this.options.now ?? Date.now;
    const paused = pausedFailure(this.failed, now(), this.options.cooldownMs ?? 5000, topic, messages.length);
    if (paused !== undefined) throw paused;
    let acknowledged = 0;
    const receipts: PublishReceipt[] = [];
    try {
      const producer = await this.connected();
      for (const chunk of this.options.chunks(messages)) {
        receipts.push(...(await this.driver.sendChunk(producer, topic, chunk, acknowledged)));
        acknowledged += chunk.length;
      }
      this.failed = undefined;
      return receipts;
    } catch (error) {
      const failure = sendFailure(error, this.driver.refusalOf(error), topic, {
        unsent: messages.length - acknowledged,
        acknowledged,
        receipts,
      });
      // A refusal: the broker is there and answered, so no pause, and the connection is fine.
      if (failure instanceof KafkaUnavailableError) {
        this.failed = { at: now(), message: (error as Error).message };
        // A producer that failed may hold a broken connection: start clean next time.
        await this.reset();
      }
      throw failure;
    }
  }

  private connected(): Promise<P> {
    if (this.producer !== undefined) return Promise.resolve(this.producer);
    this.connecting ??= this.driver
      .connect()
      .then((producer) => {
        this.producer = producer;
        return producer;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer !== undefined) await this.driver.disconnect(producer).catch(() => undefined);
  }
}

/** Which of a send's messages went to each partition: the receipts of one produce request. */
export class PartitionShares {
  private readonly indexes = new Map<number, number[]>();

  /** The send's `index`th message went to `partition` (undefined: not known). */
  note(partition: number | undefined, index: number): void {
    if (partition === undefined) return;
    const ofPartition = this.indexes.get(partition);
    if (ofPartition) ofPartition.push(index);
    else this.indexes.set(partition, [index]);
  }

  /** A partition's messages are written in the order sent, from its base offset. */
  receipts(written: readonly { readonly partition: number; readonly baseOffset: string }[]): PublishReceipt[] {
    return written.map((r) => {
      const ofPartition = this.indexes.get(r.partition);
      return {
        partition: r.partition,
        baseOffset: r.baseOffset,
        ...(ofPartition === undefined ? {} : { messages: ofPartition }),
      };
    });
  }
}
