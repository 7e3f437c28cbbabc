export { columnPlan, ColumnPlanError, type Column, type ColumnPlan } from './columns';
export { flattenChange, type KafkaOrigin } from './row';
export { deadLetterKey, rawObjectKey, rawObjectPrefix } from './object-key';
export { JsonLinesWriter, jsonLines } from './jsonl';
