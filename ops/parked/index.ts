export { listDeadLetters, deadLetterRow, type DeadLetterListingResult, type DeadLetterRow } from './list-dead-letters';
export { listParked, rowOf, type ParkedListing, type ParkedRow } from './list-parked';
export {
  formatDeadLetters,
  formatParkedKey,
  formatParkedListing,
  redactedPayload,
  type ShownItem,
  shownItem,
} from './format-parked';
export { DynamoDbParkedItems } from './dynamodb-parked-items';
export { S3DeadLetters, DEAD_LETTER_PREFIX, deadLetterPrefix } from './s3-dead-letters';
export { InMemoryDeadLetters, InMemoryParkedItems } from './in-memory';
export { openParkedReading, type ParkedReading } from './open-parked';
export type { DeadLetterListing, ParkedFilter, ParkedItems } from './ports';
export { DEFAULT_LIMIT, LISTED_STATUSES, parseLimit, parseReason, parseStatus } from './statuses';
