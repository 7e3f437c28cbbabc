export {
  changeMessage,
  DEFAULT_MAX_REQUEST_BYTES,
  KafkaPublisher,
  positionsOf,
  requestChunks,
  type KafkaPublisherOptions,
  type OutgoingMessage,
  type Publisher,
  type PublishReceipt,
} from './kafka-publisher';
export { KafkaAuthError, KafkaRefusedError, KafkaUnavailableError } from './errors';
export { awsSaslCredentialSource, kafkaSecurity, type SaslCredentialSource } from './kafka-security';
export { InMemoryPublisher } from './in-memory-publisher';
