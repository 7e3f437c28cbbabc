import { ConfigError } from '../../../lib/config';
import { loadPollerConfig } from '../../../functions/poller/config';

const env = (overrides: Record<string, string>): Record<string, string> => ({
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
  CDC_POLL_PAGE_LIMIT: '100',
  CDC_SOURCE_URL: 'https://source.example.com',
  ...overrides,
});

describe('the poller configuration', () => {
  it('refuses a plain-http source URL on an AWS stage, naming CDC_SOURCE_URL', () => {
    const load = (): unknown => loadPollerConfig(env({ STAGE: 'prod', CDC_SOURCE_URL: 'http://source.example.com' }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/CDC_SOURCE_URL: must be an https URL on stage prod/);
  });

  it('accepts https on an AWS stage', () => {
    expect(loadPollerConfig(env({ STAGE: 'dev' })).sourceUrl.href).toBe('https://source.example.com/');
  });

  it('keeps plain http on stage local, for the simulator', () => {
    expect(loadPollerConfig(env({ CDC_SOURCE_URL: 'http://127.0.0.1:8080' })).sourceUrl.protocol).toBe('http:');
  });
});
