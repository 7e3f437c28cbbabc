export {
  DynamoDbFallbackStore,
  KEYS_INDEX,
  MAX_INLINE_PAYLOAD_BYTES,
  OPEN_STATUSES,
  type DynamoDbFallbackStoreOptions,
  type FallbackStore,
  type OpenKeys,
  type OpenStatus,
  type SupersedeOutcome,
} from './dynamodb-store';
export {
  PARK_REASONS,
  partitionKey,
  sortKey,
  type FallbackStatus,
  type ParkReason,
  type ParkedEvent,
} from './parked-event';
export { InMemoryFallbackStore } from './in-memory-store';
