export { consumeBatch, type ConsumeDependencies, type ConsumeOptions, type ConsumeSummary } from './consume-batch';
export { InMemoryRawStore, type RawStore, S3RawStore } from './raw-store';
export { fromMskRecord, type KafkaRecord } from './msk-record';
export {
  DynamoDbPartitionMarks,
  InMemoryPartitionMarks,
  type PartitionMark,
  PartitionMarkConflictError,
  type PartitionMarks,
} from './partition-marks';
