export {
  START_OF_TIME,
  advance,
  alreadyHandedOff,
  handedOffLookup,
  type HandedOffWindow,
  isBehind,
  type Lookback,
  type Position,
  type Progress,
  readFrom,
  type Seen,
  seenBefore,
} from './position';
export type { CheckpointStore, LeaseOutcome, PollLease, RecentParks, StoredCheckpoint } from './store';
export { DynamoDbCheckpointStore } from './dynamodb-store';
export { PostgresCheckpointStore, type SqlClient } from './postgres-store';
export { InMemoryCheckpointStore } from './in-memory-store';
export { CheckpointConflictError, CheckpointUnavailableError, LeaseLostError } from './errors';
export { openCheckpointStore, type OpenedCheckpointStore } from './open-store';
export { PostgresConnection, type PostgresTarget } from './postgres-connection';
