import { Kafka, logLevel } from 'kafkajs';
import { localKafkaBrokers } from '../stage/local-aws';

/** A kafkajs client of the local stack's broker, with kafkajs's own logging off. */
export function localKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });
}
