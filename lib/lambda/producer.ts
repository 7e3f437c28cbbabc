import type { CommonConfig } from '../config';
import { KafkaPublisher } from '../publish';

/** The function's one producer, connected on first use and kept for the container's life. */
export function kafkaPublisherFor(
  config: Pick<CommonConfig, 'stage' | 'kafkaBrokers' | 'kafkaAuth'>,
  functionName: string,
): KafkaPublisher {
  return new KafkaPublisher({
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
