import {
  ConfigError,
  loadCommonConfig,
  parseEntities,
  requireBrokers,
  requireInt,
  requireUrl,
} from '../../../lib/config';

function validEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    STAGE: 'local',
    CDC_ENTITIES: '{"customer":{},"invoice":{"compression":"zlib"}}',
    KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9092',
    CDC_KAFKA_AUTH: 'none',
    CDC_KAFKA_TLS: 'false',
    CDC_TOPIC_PREFIX: 'cdc',
    CDC_CHECKPOINT_TABLE: 'cp',
    CDC_FALLBACK_TABLE: 'fb',
    CDC_RAW_BUCKET: 'raw',
    CDC_SCHEMA_REGISTRY: 'reg',
    ...overrides,
  };
}

function settingOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.setting;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration read at cold start', () => {
  it('loads a complete environment into a typed object', () => {
    const config = loadCommonConfig(validEnv());
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092', '127.0.0.2:9092']);
    expect([...config.entities.values()]).toEqual([
      { name: 'customer', compression: 'none' },
      { name: 'invoice', compression: 'zlib' },
    ]);
  });

  it.each([
    'STAGE',
    'CDC_ENTITIES',
    'KAFKA_BROKERS',
    'CDC_TOPIC_PREFIX',
    'CDC_CHECKPOINT_TABLE',
    'CDC_FALLBACK_TABLE',
    'CDC_RAW_BUCKET',
    'CDC_SCHEMA_REGISTRY',
  ])('names %s when it is missing', (name) => {
    expect(settingOf(() => loadCommonConfig(validEnv({ [name]: undefined })))).toBe(name);
  });

  it('treats an empty value as missing', () => {
    expect(settingOf(() => loadCommonConfig(validEnv({ CDC_RAW_BUCKET: '  ' })))).toBe('CDC_RAW_BUCKET');
  });

  it('rejects a broker without a port, naming it', () => {
    expect(() => requireBrokers({ KAFKA_BROKERS: '127.0.0.1' }, 'KAFKA_BROKERS')).toThrow(
      'configuration KAFKA_BROKERS: "127.0.0.1" is not host:port',
    );
  });

  it('rejects an entity list that is not a JSON object', () => {
    expect(() => parseEntities({ CDC_ENTITIES: '["customer"]' })).toThrow(/CDC_ENTITIES: must be a JSON object/);
    expect(() => parseEntities({ CDC_ENTITIES: 'customer' })).toThrow(/CDC_ENTITIES: is not JSON/);
  });

  it('names the entity whose compression is unknown', () => {
    expect(settingOf(() => parseEntities({ CDC_ENTITIES: '{"customer":{"compression":"gzip"}}' }))).toBe(
      'CDC_ENTITIES.customer.compression',
    );
  });

  it('rejects an out-of-range integer with the allowed range', () => {
    expect(() => requireInt({ N: '0' }, 'N', { min: 1, max: 10 })).toThrow(
      'configuration N: must be an integer from 1 to 10, got "0"',
    );
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => requireUrl({ U: 'ftp://x' }, 'U')).toThrow('configuration U: must be an http(s) URL, got "ftp://x"');
  });
});
