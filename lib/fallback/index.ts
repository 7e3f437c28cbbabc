export {
  type ArchivedItem,
  boundedForTable,
  FALLBACK_STATUSES,
  type FallbackStatus,
  HISTORY_LIMIT,
  OPEN_STATUSES,
  type OpenStatus,
  PARK_REASONS,
  type ParkedEvent,
  type ParkedItem,
  type ParkedItemHeader,
  type ParkReason,
  type Reschedule,
} from './parked-item';
export {
  DUE_INDEX,
  itemKeyOf,
  KEYS_INDEX,
  MAX_INLINE_PAYLOAD_BYTES,
  MAX_PLAIN_KEY_BYTES,
  partitionKey,
  sortKey,
} from './table';
export type {
  DueCursor,
  DuePage,
  FallbackCensus,
  FallbackStore,
  FallbackTable,
  OpenKeys,
  ParkedCount,
  RedriveStore,
  RestoreStore,
  SupersedeOutcome,
} from './ports';
export { CLAIM_BATCH_LIMIT } from './ports';
export { supersedeEarlier, supersedeOlder } from './supersede';
export {
  archivedItemOf,
  archiveBody,
  parseArchivedItem,
  S3StaleArchiveWriter,
  STALE_ARCHIVE_PREFIX,
  type StaleArchiveWriter,
  staleArchiveKey,
  staleArchiveTime,
} from './archive';
export { DynamoDbFallbackStore, type DynamoDbFallbackStoreOptions } from './dynamodb-store';
export { InMemoryFallbackStore } from './in-memory-store';
