import { type EntityConfig, parseEntities } from './entities';
import { type Env, requireBrokers, requireString } from './env';
import { type KafkaAuth, parseKafkaAuth } from './kafka-auth';

/** What every function needs; each function's config extends it. */
export interface CommonConfig {
  readonly stage: string;
  readonly entities: ReadonlyMap<string, EntityConfig>;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaAuth: KafkaAuth;
  readonly topicPrefix: string;
  readonly checkpointTable: string;
  readonly fallbackTable: string;
  readonly rawBucket: string;
  readonly schemaRegistry: string;
}

export function loadCommonConfig(env: Env): CommonConfig {
  return {
    stage: requireString(env, 'STAGE'),
    entities: parseEntities(env),
    kafkaBrokers: requireBrokers(env, 'KAFKA_BROKERS'),
    kafkaAuth: parseKafkaAuth(env),
    topicPrefix: requireString(env, 'CDC_TOPIC_PREFIX'),
    checkpointTable: requireString(env, 'CDC_CHECKPOINT_TABLE'),
    fallbackTable: requireString(env, 'CDC_FALLBACK_TABLE'),
    rawBucket: requireString(env, 'CDC_RAW_BUCKET'),
    schemaRegistry: requireString(env, 'CDC_SCHEMA_REGISTRY'),
  };
}

export function topicFor(config: Pick<CommonConfig, 'topicPrefix'>, entity: string): string {
  return `${config.topicPrefix}.${entity}`;
}
