export { changeMessage, KafkaPublisher, type KafkaPublisherOptions, type OutgoingMessage, type Publisher, type PublishReceipt } from './kafka-publisher';
export { KafkaAuthError, KafkaUnavailableError } from './errors';
export { awsSaslCredentialSource, kafkaSecurity, type SaslCredentialSource } from './kafka-security';
export { InMemoryPublisher } from './in-memory-publisher';
