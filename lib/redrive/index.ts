export type { ParkedItem } from './parked-item';
export type { RedriveStore } from './store';
export { DynamoDbRedriveStore } from './dynamodb-store';
export { InMemoryRedriveStore } from './in-memory-store';
export { type RedrivePolicy, type StaleLimit, nextAttemptAt, staleBecause } from './policy';
export { type AlertPort, InMemoryAlerts, SnsAlerts } from './alerts';
export { type DrainSummary, drainKey, type RedriveDependencies } from './drain-key';
export { archiveAndAlert, STALE_ARCHIVE_PREFIX, staleArchiveKey, staleArchiveTime } from './archive';
export { onStream, sweep, type SweepDependencies, type SweepSummary } from './run';
