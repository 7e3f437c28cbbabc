export { changeMessage, KafkaPublisher, type KafkaPublisherOptions, type OutgoingMessage, type Publisher } from './kafka-publisher';
export { KafkaUnavailableError } from './errors';
export { InMemoryPublisher } from './in-memory-publisher';
