export { ConfigError } from '../errors';
export { type Env, requireString, optionalString, requireInt, requireUrl, requireBrokers } from './env';
export { type EntityConfig, type Compression, parseEntities } from './entities';
export { type CommonConfig, loadCommonConfig, topicFor } from './common';
export { type KafkaAuth, KAFKA_AUTH_MECHANISMS, parseKafkaAuth } from './kafka-auth';
export { type CheckpointStoreConfig, CHECKPOINT_STORES, parseCheckpointStore } from './checkpoint-store';
export { schedulePeriodSeconds } from './schedule';
