import type { CommonConfig } from '../config';
import { KafkaPublisher, type KafkaPublisherOptions, type Publisher } from '../publish';

/** Builds the function's producer from its options: kafkajs's KafkaPublisher unless replaced. */
export type PublisherFactory = (options: KafkaPublisherOptions) => Publisher;

let publisherFactory: PublisherFactory = (options) => new KafkaPublisher(options);

/**
 * Replaces the Kafka client behind the port, before a handler module is loaded. Only the local
 * runtime's worker calls it (`CDC_LOCAL_KAFKA_CLIENT=platformatic`, for the chaos suite on
 * @platformatic/kafka); a deployed function always runs kafkajs, and its bundle holds nothing else.
 */
export function usePublisherFactory(factory: PublisherFactory): void {
  publisherFactory = factory;
}

/** The function's one producer, connected on first use and kept for the container's life. */
export function kafkaPublisherFor(
  config: Pick<CommonConfig, 'stage' | 'kafkaBrokers' | 'kafkaAuth'>,
  functionName: string,
): Publisher {
  return publisherFactory({
    brokers: config.kafkaBrokers,
    auth: config.kafkaAuth,
    clientId: `cdc-${functionName}-${config.stage}`,
  });
}

/**
 * Lambda freezes the container between invocations, so the producer is kept. `sls invoke local`
 * instead waits for Node's event loop to empty: on stage local, close it after each invocation.
 */
export async function closeForLocal(stage: string, publisher: { close(): Promise<void> }): Promise<void> {
  if (stage === 'local') await publisher.close();
}
