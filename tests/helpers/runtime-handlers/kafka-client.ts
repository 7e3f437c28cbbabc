/**
 * A test handler for the local runtime: builds the producer a function would (as the poller's
 * and retry's wiring do, when their module loads) and answers with the class behind the port.
 */
import { kafkaPublisherFor } from '../../../lib/lambda/producer';

const publisher = kafkaPublisherFor(
  { stage: 'local', kafkaBrokers: ['127.0.0.1:9'], kafkaAuth: { mechanism: 'none', tls: false } },
  'probe',
);

export async function handler(): Promise<unknown> {
  return { client: publisher.constructor.name };
}
