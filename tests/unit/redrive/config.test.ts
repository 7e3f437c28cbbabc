import { loadRetryConfig, parseStale } from '../../../functions/retry/config';

const env = {
  STAGE: 'dev',
  KAFKA_BROKERS: 'b-1:9098',
  CDC_KAFKA_AUTH: 'none',
  CDC_KAFKA_TLS: 'true',
  CDC_ENTITIES: '{"customer":{}}',
  CDC_TOPIC_PREFIX: 'cdc',
  CDC_CHECKPOINT_TABLE: 'c',
  CDC_FALLBACK_TABLE: 'f',
  CDC_RAW_BUCKET: 'r',
  CDC_SCHEMA_REGISTRY: 'g',
  CDC_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t',
  CDC_ARCHIVE_BUCKET: 'r',
  CDC_RETRY_BACKOFF_BASE_SECONDS: '30',
  CDC_RETRY_BACKOFF_CAP_SECONDS: '1800',
  CDC_RETRY_SWEEP_BATCH_SIZE: '200',
  CDC_RETRY_SWEEP_CHAIN_MAX: '3',
  CDC_RETRY_CLAIM_SECONDS: '300',
  CDC_RETRY_STALE:
    '{"default":{"maxAgeSeconds":259200,"maxAttempts":50},"MALFORMED_EVENT":{"maxAgeSeconds":86400,"maxAttempts":3}}',
};

describe('retry configuration', () => {
  it('reads backoff, sweep size and stale limits per reason', () => {
    expect(loadRetryConfig(env)).toMatchObject({
      backoffBaseMs: 30_000,
      backoffCapMs: 1_800_000,
      sweepBatchSize: 200,
      stale: { MALFORMED_EVENT: { maxAgeSeconds: 86_400, maxAttempts: 3 } },
    });
  });

  it("holds a claim as long as CDC_RETRY_CLAIM_SECONDS says (the function's timeout, 5 minutes)", () => {
    expect(loadRetryConfig(env).claimMs).toBe(300_000);
    expect(loadRetryConfig({ ...env, CDC_RETRY_CLAIM_SECONDS: '30' }).claimMs).toBe(30_000);
  });

  it('chains as many sweeps after a scheduled one as CDC_RETRY_SWEEP_CHAIN_MAX says', () => {
    expect(loadRetryConfig(env).sweepChainMax).toBe(3);
    expect(loadRetryConfig({ ...env, CDC_RETRY_SWEEP_CHAIN_MAX: '0' }).sweepChainMax).toBe(0);
  });

  it.each([
    [
      { CDC_RETRY_SWEEP_CHAIN_MAX: '-1' },
      'configuration CDC_RETRY_SWEEP_CHAIN_MAX: must be an integer from 0 to 20, got "-1"',
    ],
    [
      { CDC_RETRY_BACKOFF_CAP_SECONDS: '10' },
      'configuration CDC_RETRY_BACKOFF_CAP_SECONDS: must be at least CDC_RETRY_BACKOFF_BASE_SECONDS (30), got 10',
    ],
    [{ CDC_RETRY_SWEEP_BATCH_SIZE: '0' }, 'CDC_RETRY_SWEEP_BATCH_SIZE'],
    [{ CDC_ALERT_TOPIC_ARN: undefined }, 'CDC_ALERT_TOPIC_ARN'],
    [{ CDC_RETRY_STALE: undefined }, 'CDC_RETRY_STALE'],
    [{ CDC_RETRY_SWEEP_CHAIN_MAX: undefined }, 'CDC_RETRY_SWEEP_CHAIN_MAX'],
    [{ CDC_RETRY_CLAIM_SECONDS: undefined }, 'CDC_RETRY_CLAIM_SECONDS'],
    [
      { CDC_RETRY_CLAIM_SECONDS: '5' },
      'configuration CDC_RETRY_CLAIM_SECONDS: must be an integer from 10 to 3600, got "5"',
    ],
    [
      {
        CDC_RETRY_STALE:
          '{"default":{"maxAgeSeconds":1,"maxAttempts":1},"KAFKA_DOWN":{"maxAgeSeconds":1,"maxAttempts":1}}',
      },
      'configuration CDC_RETRY_STALE: unknown reason "KAFKA_DOWN"',
    ],
  ])('fails at cold start naming the setting: %j', (patch, message) => {
    expect(() => loadRetryConfig({ ...env, ...patch })).toThrow(message);
  });

  it('needs a default stale limit and sane numbers', () => {
    expect(() => parseStale('{"UNDECODABLE":{"maxAgeSeconds":1,"maxAttempts":1}}')).toThrow('needs a "default" entry');
    expect(() => parseStale('{"default":{"maxAgeSeconds":-1,"maxAttempts":1}}')).toThrow(
      'default.maxAgeSeconds must be a number of seconds ≥ 0',
    );
    expect(() => parseStale('{"default":{"maxAgeSeconds":1,"maxAttempts":1.5}}')).toThrow(
      'default.maxAttempts must be a whole number ≥ 1',
    );
    expect(() => parseStale('nope')).toThrow('is not JSON');
  });
});
