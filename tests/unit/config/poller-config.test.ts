import { ConfigError } from '../../../lib/config';
import { loadPollerConfig } from '../../../functions/poller/config';
import { COMMON_ENV } from '../../helpers/config-env';

const env = (overrides: Record<string, string>): Record<string, string> => ({
  ...COMMON_ENV,
  CDC_POLL_PAGE_LIMIT: '100',
  CDC_POLL_LOOKBACK_SECONDS: '0',
  CDC_CHECKPOINT_STORE: 'dynamodb',
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

describe('the checkpoint store setting', () => {
  const RDS_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b-AbC123';
  const postgres = (overrides: Record<string, string> = {}): Record<string, string> =>
    env({
      STAGE: 'dev',
      CDC_CHECKPOINT_STORE: 'postgres',
      CDC_RDS_HOST: 'cdc.cluster-c0ffee.eu-west-1.rds.amazonaws.com',
      CDC_RDS_DATABASE: 'cdc',
      CDC_RDS_SECRET_ARN: RDS_SECRET,
      ...overrides,
    });

  it('is DynamoDB with the checkpoint table', () => {
    expect(loadPollerConfig(env({})).checkpointStore).toEqual({ kind: 'dynamodb', table: 'cp' });
  });

  it('with postgres on an AWS stage: the instance, its port 5432 unless given, the secret, and TLS', () => {
    expect(loadPollerConfig(postgres()).checkpointStore).toEqual({
      kind: 'postgres',
      table: 'cp',
      host: 'cdc.cluster-c0ffee.eu-west-1.rds.amazonaws.com',
      port: 5432,
      database: 'cdc',
      secretId: RDS_SECRET,
      tls: true,
    });
    expect(loadPollerConfig(postgres({ CDC_RDS_HOST: 'db.internal:6432' })).checkpointStore).toMatchObject({
      host: 'db.internal',
      port: 6432,
    });
  });

  it('on stage local: no TLS, and the secret may be a name (on moto)', () => {
    expect(
      loadPollerConfig(postgres({ STAGE: 'local', CDC_RDS_HOST: '127.0.0.1:5432', CDC_RDS_SECRET_ARN: 'cdc-rds' }))
        .checkpointStore,
    ).toMatchObject({ tls: false, secretId: 'cdc-rds', host: '127.0.0.1', port: 5432 });
  });

  it.each([
    [{ CDC_CHECKPOINT_STORE: 'rds' }, 'CDC_CHECKPOINT_STORE: must be one of dynamodb, postgres, got "rds"'],
    [{ CDC_CHECKPOINT_STORE: '' }, 'CDC_CHECKPOINT_STORE: is required but not set'],
    [{ CDC_RDS_HOST: '' }, 'CDC_RDS_HOST: is required but not set'],
    [{ CDC_RDS_HOST: 'db.internal:99999' }, 'CDC_RDS_HOST: must be host or host:port'],
    [{ CDC_RDS_HOST: 'postgres://db.internal' }, 'CDC_RDS_HOST: must be host or host:port'],
    [{ CDC_RDS_DATABASE: '' }, 'CDC_RDS_DATABASE: is required but not set'],
    [{ CDC_RDS_SECRET_ARN: '' }, 'CDC_RDS_SECRET_ARN: is required but not set'],
    [{ CDC_RDS_SECRET_ARN: 'cdc-rds' }, 'CDC_RDS_SECRET_ARN: must be the ARN of the Secrets Manager secret'],
    [{ CDC_CHECKPOINT_TABLE: 'x'.repeat(64) }, 'CDC_CHECKPOINT_TABLE: is a PostgreSQL table name'],
  ])('refuses %j at cold start, naming the setting', (overrides, message) => {
    const load = (): unknown => loadPollerConfig(postgres(overrides));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });
});
