/**
 * A test handler for the local runtime: builds the producer a function would (as the poller's
 * and retry's wiring do, when their module loads), publishes one message to TOPIC on
 * KAFKA_BROKERS through it, and answers with the class behind the port and the receipts.
 */
import { kafkaPublisherFor } from '../../../lib/lambda/producer';

const publisher = kafkaPublisherFor(
  {
    stage: 'local',
    kafkaBrokers: String(process.env.KAFKA_BROKERS).split(','),
    kafkaAuth: { mechanism: 'none', tls: false },
  },
  'probe',
);

export async function handler(): Promise<unknown> {
  try {
    const receipts = await publisher.publish(String(process.env.TOPIC), [
      { key: 'k-1', value: Buffer.from('probe'), headers: {} },
    ]);
    return { client: publisher.constructor.name, receipts };
  } finally {
    await publisher.close();
  }
}
