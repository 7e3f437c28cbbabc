export { DynamoDbFallbackStore, MAX_INLINE_PAYLOAD_BYTES, type DynamoDbFallbackStoreOptions, type FallbackStore, type SupersedeOutcome } from './dynamodb-store';
export { PARK_REASONS, partitionKey, sortKey, type FallbackStatus, type ParkReason, type ParkedEvent } from './parked-event';
export { InMemoryFallbackStore } from './in-memory-store';
