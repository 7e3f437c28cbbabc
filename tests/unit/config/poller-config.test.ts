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
  CDC_POLL_LOOKBACK_SECONDS: '0',
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

  it("takes each entity's lookbackSeconds over CDC_POLL_LOOKBACK_SECONDS, in milliseconds", () => {
    const config = loadPollerConfig(
      env({ CDC_ENTITIES: '{"customer":{"lookbackSeconds":30},"invoice":{}}', CDC_POLL_LOOKBACK_SECONDS: '5' }),
    );
    expect([...config.lookbackMs]).toEqual([
      ['customer', 30_000],
      ['invoice', 5000],
    ]);
  });

  it('refuses a bad lookback at cold start, naming the setting', () => {
    expect(() => loadPollerConfig(env({ CDC_POLL_LOOKBACK_SECONDS: '-1' }))).toThrow(
      'CDC_POLL_LOOKBACK_SECONDS: must be an integer from 0 to 86400, got "-1"',
    );
    expect(() => loadPollerConfig(env({ CDC_ENTITIES: '{"customer":{"lookbackSeconds":"30"}}' }))).toThrow(
      'CDC_ENTITIES.customer.lookbackSeconds: must be an integer from 0 to 86400, got "30"',
    );
    const { CDC_POLL_LOOKBACK_SECONDS: _, ...without } = env({});
    expect(() => loadPollerConfig(without)).toThrow(/CDC_POLL_LOOKBACK_SECONDS/);
  });
});
