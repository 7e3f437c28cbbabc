/** What every function's configuration reads (lib/config/common.ts), valid; each test adds its function's own. */
export const COMMON_ENV: Readonly<Record<string, string>> = {
  STAGE: 'local',
  CDC_ENTITIES: '{"customer":{}}',
  KAFKA_BROKERS: '127.0.0.1:9092',
  CDC_KAFKA_AUTH: 'none',
  CDC_KAFKA_TLS: 'false',
  CDC_TOPIC_PREFIX: 'cdc',
  CDC_CHECKPOINT_TABLE: 'cp',
  CDC_FALLBACK_TABLE: 'fb',
  CDC_RAW_BUCKET: 'raw',
  CDC_SCHEMA_REGISTRY: 'reg',
};
