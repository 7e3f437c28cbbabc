import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaTlsSecrets } from './stack/kafka-tls';
import { localKafkaSettings } from '../stage/local-kafka';

/**
 * A kafkajs client of the local stack's broker, with kafkajs's own logging off: the plaintext
 * listener, or with CDC_KAFKA_AUTH=scram-sha-512 the SASL_SSL one as the stack's SCRAM user.
 */
export function localKafka(clientId: string): Kafka {
  const settings = localKafkaSettings();
  if (settings.auth === 'none') return new Kafka({ clientId, brokers: settings.brokers, logLevel: logLevel.NOTHING });
  const { username, password } = kafkaTlsSecrets();
  return new Kafka({
    clientId,
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(String(settings.caFile), 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username, password },
  });
}
