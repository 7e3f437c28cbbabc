import { ConfigError } from '../../../lib/errors';
import type { ResolvedConfig } from '../../../stage/resolved-config';
import { requireEntity, resolveStage, stageFromConfig } from '../../../ops/stage/ops-stage';
import { UnknownEntityError, UsageError } from '../../../ops/errors';

function resolved(
  environment: Record<string, string | null>,
  archiveBucket: string | null = 'x-raw',
  poller: Record<string, string | null> = { CDC_CHECKPOINT_STORE: 'dynamodb', CDC_RDS_HOST: null },
): ResolvedConfig {
  return {
    service: 'cdc-pipeline',
    params: {
      default: { pollRate: 'rate(5 minutes)', alarmPollerMissedPeriods: 3, alarmCheckpointLagSeconds: 3600 },
      dev: { alarmCheckpointLagSeconds: 900, alarmBacklogAgeSeconds: 1800 },
    },
    resources: { Resources: {} },
    provider: { region: 'eu-central-1', environment },
    custom: { names: { emrApplication: 'x-spark' } as ResolvedConfig['custom']['names'] },
    functions: {
      retry: { handler: 'h', environment: archiveBucket === null ? {} : { CDC_ARCHIVE_BUCKET: archiveBucket } },
      poller: { handler: 'h', environment: poller },
    },
  };
}

const ENV = {
  CDC_ENTITIES: '{"customer":{},"invoice":{"pollRate":"rate(1 minute)"}}',
  CDC_TOPIC_PREFIX: 'cdc',
  CDC_CHECKPOINT_TABLE: 'x-checkpoints',
  CDC_FALLBACK_TABLE: 'x-fallback',
  CDC_RAW_BUCKET: 'x-raw',
  CDC_SCHEMA_REGISTRY: 'x-schemas',
  AWS_ENDPOINT_URL: null,
};

describe('a stage as the operator commands see it', () => {
  it("takes every name from the functions' environment in the resolved serverless.yml, and the region from the provider", () => {
    expect(stageFromConfig(resolved(ENV, 'x-archive'), 'dev')).toEqual({
      stage: 'dev',
      local: false,
      region: 'eu-central-1',
      entities: ['customer', 'invoice'],
      topicPrefix: 'cdc',
      checkpointStore: { kind: 'dynamodb', table: 'x-checkpoints' },
      fallbackTable: 'x-fallback',
      rawBucket: 'x-raw',
      archiveBucket: 'x-archive',
      emrApplication: 'x-spark',
      schemaRegistry: 'x-schemas',
      rawGzip: true,
      pollerFunction: 'cdc-pipeline-dev-poller',
      // The alarms' thresholds, from the stage's params over the defaults; each entity's own pollRate.
      health: {
        missedPeriods: 3,
        checkpointLagSeconds: 900,
        backlogAgeSeconds: 1800,
        pollPeriodSeconds: { customer: 300, invoice: 60 },
      },
    });
  });

  it("reads the poller's checkpoint store, PostgreSQL with its instance and secret, with the handler's own reader", () => {
    const secret = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-AbC123';
    const poller = {
      CDC_CHECKPOINT_STORE: 'postgres',
      CDC_RDS_HOST: 'db.example.internal',
      CDC_RDS_DATABASE: 'cdc',
      CDC_RDS_SECRET_ARN: secret,
    };
    expect(stageFromConfig(resolved(ENV, 'x-raw', poller), 'dev').checkpointStore).toEqual({
      kind: 'postgres',
      table: 'x-checkpoints',
      host: 'db.example.internal',
      port: 5432,
      database: 'cdc',
      secretId: secret,
      tls: true,
    });
    expect(() => stageFromConfig(resolved(ENV, 'x-raw', { ...poller, CDC_RDS_DATABASE: null }), 'dev')).toThrow(
      new ConfigError('CDC_RDS_DATABASE', 'is required but not set'),
    );
  });

  it("lets --region override the provider's region", () => {
    expect(stageFromConfig(resolved(ENV), 'dev', 'ap-south-1').region).toBe('ap-south-1');
  });

  it('fails naming the setting that is missing', () => {
    expect(() => stageFromConfig(resolved(ENV, null), 'dev')).toThrow(
      new ConfigError('CDC_ARCHIVE_BUCKET', 'is required but not set'),
    );
  });

  it('refuses an entity the stage does not have, listing the ones it has', () => {
    expect(() => requireEntity(stageFromConfig(resolved(ENV), 'dev'), 'order')).toThrow(UnknownEntityError);
  });

  it('refuses a stage name that is not one, before running sls', async () => {
    await expect(resolveStage('dev; rm -rf')).rejects.toThrow(UsageError);
  });

  it('resolves the real serverless.yml of a deployed stage offline, with the names of custom.names', async () => {
    const stage = await resolveStage('dev');
    expect(stage).toMatchObject({
      local: false,
      entities: ['customer', 'invoice', 'payment'],
      checkpointStore: { kind: 'dynamodb', table: 'cdc-pipeline-dev-checkpoints' },
      fallbackTable: 'cdc-pipeline-dev-fallback',
      rawBucket: 'cdc-pipeline-dev-raw',
      archiveBucket: 'cdc-pipeline-dev-raw',
      emrApplication: 'cdc-pipeline-dev-spark',
      schemaRegistry: 'cdc-pipeline-dev-schemas',
      rawGzip: true,
    });
  }, 60_000);
});
