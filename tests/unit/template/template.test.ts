import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DUE_INDEX, KEYS_INDEX } from '../../../lib/fallback';
import { consumerMetrics, jobMetrics, pollerMetrics, retryMetrics, streamMetrics } from '../../../lib/metrics';
import { type CfnTemplate, packageTemplate, resourcesOfType } from '../../helpers/package-template';

const ENTITIES = readdirSync(path.resolve(__dirname, '../../../schemas'))
  .filter((f) => f.endsWith('.avsc'))
  .map((f) => f.slice(0, -5));
const templates: Record<string, CfnTemplate> = {};

beforeAll(async () => {
  for (const stage of ['dev', 'prod']) templates[stage] = await packageTemplate(stage);
}, 120_000);

function tpl(stage: string): CfnTemplate {
  const t = templates[stage];
  if (!t) throw new Error(`no template for ${stage}`);
  return t;
}

function functionLogicalId(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
}

function targetsOf(
  template: CfnTemplate,
  fn: string,
): { rules: Record<string, unknown>[]; mappings: Record<string, unknown>[] } {
  const id = functionLogicalId(fn);
  const rules = resourcesOfType(template, 'AWS::Events::Rule')
    .map(([, p]) => p)
    .filter((p) => JSON.stringify(p.Targets).includes(`"${id}"`));
  const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
    .map(([, p]) => p)
    .filter((p) => JSON.stringify(p.FunctionName).includes(`"${id}"`));
  return { rules, mappings };
}

describe.each(['dev', 'prod'])('the packaged CloudFormation template of stage %s', (stage) => {
  it('contains the resource types the pipeline needs', () => {
    const types = new Set(Object.values(tpl(stage).Resources).map((r) => r.Type));
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::DynamoDB::Table',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::SNS::Topic',
      'AWS::Glue::Registry',
      'AWS::Glue::Schema',
      'AWS::EMRServerless::Application',
      'AWS::IAM::Role',
      'AWS::Events::Rule',
      'AWS::Lambda::EventSourceMapping',
      'AWS::KMS::Key',
      'AWS::KMS::Alias',
    ])
      expect(types).toContain(type);
  });

  it('names every table, bucket, topic, registry and application after the stage', () => {
    const names = [
      ...resourcesOfType(tpl(stage), 'AWS::DynamoDB::Table').map(([, p]) => p.TableName),
      ...resourcesOfType(tpl(stage), 'AWS::S3::Bucket')
        .filter(([id]) => id !== 'ServerlessDeploymentBucket')
        .map(([, p]) => p.BucketName),
      ...resourcesOfType(tpl(stage), 'AWS::SNS::Topic').map(([, p]) => p.TopicName),
      ...resourcesOfType(tpl(stage), 'AWS::Glue::Registry').map(([, p]) => p.Name),
      ...resourcesOfType(tpl(stage), 'AWS::EMRServerless::Application').map(([, p]) => p.Name),
    ];
    expect(names).toHaveLength(9);
    for (const name of names) expect(name).toEqual(expect.stringContaining(`-${stage}-`));
  });

  it('has four functions, each with its own role', () => {
    const functions = resourcesOfType(tpl(stage), 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'ConsumerLambdaFunction',
      'JobLauncherLambdaFunction',
      'PollerLambdaFunction',
      'RetryLambdaFunction',
    ]);
    const roles = functions.map(([, p]) => JSON.stringify(p.Role));
    expect(new Set(roles).size).toBe(4);
    for (const [, p] of functions) expect(p.Runtime).toBe('nodejs22.x');
  });

  it('schedules the poller once per entity with the entity as input', () => {
    const { rules } = targetsOf(tpl(stage), 'poller');
    const inputs = rules.map(
      (r) => JSON.parse(String((r.Targets as { Input: string }[])[0]?.Input)) as { entity: string },
    );
    expect(inputs.map((i) => i.entity).sort()).toEqual([...ENTITIES].sort());
  });

  it('triggers the consumer from MSK, one mapping per entity topic', () => {
    const { mappings } = targetsOf(tpl(stage), 'consumer');
    expect(mappings.map((m) => (m.Topics as string[])[0]).sort()).toEqual(ENTITIES.map((e) => `cdc.${e}`).sort());
    for (const m of mappings) {
      expect(String(m.EventSourceArn)).toMatch(/^arn:aws:kafka:/);
      expect(m.BatchSize).toEqual(expect.any(Number));
      expect(m.MaximumBatchingWindowInSeconds).toEqual(expect.any(Number));
    }
  });

  it('triggers the retry function from the fallback table stream and a sweep schedule', () => {
    const { rules, mappings } = targetsOf(tpl(stage), 'retry');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.EventSourceArn).toEqual({ 'Fn::GetAtt': ['FallbackTable', 'StreamArn'] });
    expect(mappings[0]?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(rules).toHaveLength(1);
    expect(JSON.parse(String((rules[0]?.Targets as { Input: string }[])[0]?.Input))).toEqual({ sweep: true });
  });

  it('schedules the job launcher: what lakeMode says, and the lake maintenance on its own rate', () => {
    const { rules, mappings } = targetsOf(tpl(stage), 'jobLauncher');
    expect(mappings).toHaveLength(0);
    expect(
      rules.map((r) => [r.ScheduleExpression, JSON.parse(String((r.Targets as { Input: string }[])[0]?.Input))]),
    ).toEqual(
      expect.arrayContaining([
        [expect.stringMatching(/^rate\(/), { scheduled: true }],
        ['rate(1 day)', { mode: 'maintenance' }],
      ]),
    );
    expect(rules).toHaveLength(2);
  });

  it("creates the lake's Glue Data Catalog database, and lets the Spark jobs register tables in it only", () => {
    const [, database] = resourcesOfType(tpl(stage), 'AWS::Glue::Database')[0]!;
    const name = (database as { DatabaseInput: { Name: string } }).DatabaseInput.Name;
    expect(name).toBe(`cdc_pipeline_${stage}`);
    const [, role] = resourcesOfType(tpl(stage), 'AWS::IAM::Role').find(([id]) => id === 'SparkJobRole')!;
    const statements = (role as { Policies: { PolicyDocument: { Statement: Statement[] } }[] }).Policies.flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    const [catalog] = grants(statements, 'glue:CreateTable');
    expect(catalog!.Action).toEqual(['glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable']);
    expect(JSON.stringify(catalog!.Resource)).toContain(`:table/${name}/*`);
    expect(JSON.stringify(catalog!.Resource)).not.toContain('table/*"');
  });

  it('streams the fallback table with both images, a status/next-attempt index and a TTL attribute', () => {
    const [, table] = resourcesOfType(tpl(stage), 'AWS::DynamoDB::Table').find(([id]) => id === 'FallbackTable') ?? [];
    expect(table?.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    const index = (table?.GlobalSecondaryIndexes as { KeySchema: { AttributeName: string }[] }[])[0];
    expect(index?.KeySchema.map((k) => k.AttributeName)).toEqual(['status', 'nextAttemptAt']);
  });

  it('encrypts every bucket, blocks public access and denies plain HTTP', () => {
    const policies = resourcesOfType(tpl(stage), 'AWS::S3::BucketPolicy').map(([, p]) => p);
    for (const [id, bucket] of resourcesOfType(tpl(stage), 'AWS::S3::Bucket')) {
      expect(bucket.BucketEncryption).toBeDefined();
      expect(bucket.PublicAccessBlockConfiguration).toMatchObject({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = policies.find((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: id }));
      const statements =
        (
          policy?.PolicyDocument as
            | { Statement: { Effect: string; Condition?: { Bool?: Record<string, unknown> } }[] }
            | undefined
        )?.Statement ?? [];
      const denyPlainHttp = statements.some(
        (s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false',
      );
      expect(`${id}: ${denyPlainHttp ? 'denies' : 'allows'} plain HTTP`).toBe(`${id}: denies plain HTTP`);
    }
  });

  it('registers one Glue schema per schema file, named after its topic', () => {
    const schemas = resourcesOfType(tpl(stage), 'AWS::Glue::Schema').map(([, p]) => p);
    expect(schemas.map((s) => s.Name).sort()).toEqual(ENTITIES.map((e) => `cdc.${e}`).sort());
    for (const s of schemas) {
      expect(s.DataFormat).toBe('AVRO');
      expect(() => JSON.parse(String(s.SchemaDefinition))).not.toThrow();
    }
  });

  it('grants no wildcard action and no wildcard resource except for unscoped actions', () => {
    const unscoped = /^(ec2:(Create|Describe|Delete|Assign|Unassign)\w+|glue:GetSchemaVersion)$/;
    for (const [id, role] of resourcesOfType(tpl(stage), 'AWS::IAM::Role')) {
      const statements = (
        (role.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[]
      ).flatMap((p) => p.PolicyDocument.Statement);
      for (const s of statements) {
        const actions = ([] as string[]).concat(s.Action);
        for (const action of actions) expect(`${id}: ${action}`).not.toMatch(/(^|:)\*$|^\*/);
        if (JSON.stringify(s.Resource) === '"*"' || JSON.stringify(s.Resource) === '["*"]') {
          for (const action of actions) expect(`${id}: ${action}`).toMatch(new RegExp(`: ${unscoped.source.slice(1)}`));
        }
      }
    }
  });

  it('keeps the source token out of the template', () => {
    const poller = resourcesOfType(tpl(stage), 'AWS::Lambda::Function').find(
      ([id]) => id === 'PollerLambdaFunction',
    )?.[1];
    const env = (poller?.Environment as { Variables: Record<string, string> }).Variables;
    expect(env.CDC_SOURCE_TOKEN).toBeUndefined();
    expect(env.CDC_SOURCE_TOKEN_PARAMETER).toBe(`/cdc-pipeline/${stage}/source-token`);
    expect(env.AWS_ENDPOINT_URL).toBeUndefined();
  });
});

type Statement = Record<string, unknown>;

/** A role's statements, each `!If [Condition, s, NoValue]` resolved as the template's own Conditions evaluate. */
function statementsOf(template: CfnTemplate, role: string): Statement[] {
  const conditions =
    (template as unknown as { Conditions?: Record<string, { 'Fn::Equals'?: [unknown, unknown] }> }).Conditions ?? {};
  const properties = template.Resources[role]?.Properties as {
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  return properties.Policies.flatMap((p) => p.PolicyDocument.Statement).flatMap((s) => {
    const branch = s['Fn::If'] as [string, Statement, unknown] | undefined;
    if (!branch) return [s];
    const equals = conditions[branch[0]]?.['Fn::Equals'];
    expect([branch[0], equals?.length]).toEqual([branch[0], 2]);
    return equals![0] === equals![1] ? [branch[1]] : [];
  });
}

/** Templates packaged with params, each packaged once for all the tests that read it. */
const packagedWith = (() => {
  const made = new Map<string, Promise<CfnTemplate>>();
  return (params: Record<string, string>): Promise<CfnTemplate> => {
    const key = JSON.stringify(params);
    if (!made.has(key)) made.set(key, packageTemplate('dev', params));
    return made.get(key)!;
  };
})();

/** One packaging for the checkpoint store's and the alarm e-mail's tests. */
const WITH_POSTGRES_AND_EMAIL = {
  checkpointStore: 'postgres',
  rdsHost: 'cdc.cluster-c0ffee.us-east-1.rds.amazonaws.com',
  rdsDatabase: 'cdc',
  rdsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-AbC123',
  rdsCaCertificates: 'certs/rds-global-bundle.pem',
  alarmEmail: 'data-oncall@example.com',
};

const SCRAM_PARAMS = {
  kafkaAuth: 'scram-sha-512',
  kafkaScramSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_cdc-dev-AbC123',
  kafkaScramKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0000aaaa-bbbb-cccc-dddd-eeeeffff0000',
};

const grants = (statements: Statement[], action: string): Statement[] =>
  statements.filter((s) => ([] as unknown[]).concat(s.Action).includes(action));

describe('MSK authentication', () => {
  const SECRET = SCRAM_PARAMS.kafkaScramSecretArn;
  const KEY = SCRAM_PARAMS.kafkaScramKmsKeyArn;
  let scram: CfnTemplate;
  beforeAll(async () => {
    scram = await packagedWith(SCRAM_PARAMS);
  }, 120_000);

  const env = (template: CfnTemplate, fn: string): Record<string, unknown> =>
    (template.Resources[functionLogicalId(fn)]?.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;

  it('is IAM over TLS by default: the producers sign with their role, no secret is readable', () => {
    for (const fn of ['poller', 'retry'])
      expect(env(tpl('dev'), fn)).toMatchObject({ CDC_KAFKA_AUTH: 'iam', CDC_KAFKA_TLS: 'true' });
    for (const role of ['PollerRole', 'RetryRole', 'ConsumerRole']) {
      expect(grants(statementsOf(tpl('dev'), role), 'kafka-cluster:Connect')).toHaveLength(1);
      expect(grants(statementsOf(tpl('dev'), role), 'secretsmanager:GetSecretValue')).toEqual([]);
    }
    for (const mapping of targetsOf(tpl('dev'), 'consumer').mappings)
      expect(mapping.SourceAccessConfigurations).toBeUndefined();
  });

  it("with kafkaAuth scram-sha-512: the secret in the producers' environment and the MSK trigger, readable (and decryptable via Secrets Manager only) by exactly the three roles", () => {
    for (const fn of ['poller', 'retry'])
      expect(env(scram, fn)).toMatchObject({ CDC_KAFKA_AUTH: 'scram-sha-512', CDC_KAFKA_SCRAM_SECRET_ARN: SECRET });
    const mappings = targetsOf(scram, 'consumer').mappings;
    expect(mappings).toHaveLength(ENTITIES.length);
    for (const mapping of mappings)
      expect(mapping.SourceAccessConfigurations).toEqual([{ Type: 'SASL_SCRAM_512_AUTH', URI: SECRET }]);
    expect((scram as unknown as { Conditions: Record<string, unknown> }).Conditions.KafkaScram).toEqual({
      'Fn::Equals': ['scram-sha-512', 'scram-sha-512'],
    });
    for (const role of ['PollerRole', 'RetryRole', 'ConsumerRole']) {
      expect(grants(statementsOf(scram, role), 'secretsmanager:GetSecretValue').map((s) => s.Resource)).toEqual([
        SECRET,
      ]);
      const decrypt = grants(statementsOf(scram, role), 'kms:Decrypt');
      // The retry role also publishes to the alert topic, encrypted with its own key (see 'template security').
      const alertKey = role === 'RetryRole' ? [{ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] }] : [];
      expect(decrypt.map((s) => s.Resource)).toEqual([...alertKey, KEY]);
      const scramDecrypt = decrypt.find((s) => s.Resource === KEY);
      expect(JSON.stringify(scramDecrypt?.Condition)).toContain('kms:ViaService');
      expect(JSON.stringify(scramDecrypt?.Condition)).toContain('secretsmanager.');
    }
    for (const role of ['JobLauncherRole', 'SparkJobRole'].filter((r) => scram.Resources[r])) {
      expect(grants(statementsOf(scram, role), 'secretsmanager:GetSecretValue')).toEqual([]);
    }
  });

  it('refuses to package SCRAM without the secret, naming the params', async () => {
    const failure = await packageTemplate('dev', { kafkaAuth: 'scram-sha-512' }).then(
      () => 'packaged',
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(failure).toMatch(
      /param kafkaAuth is scram-sha-512: set param kafkaScramSecretArn \(the AmazonMSK_\* secret\) and kafkaScramKmsKeyArn/,
    );
  }, 120_000);
});

describe('the checkpoint store', () => {
  const RDS_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-AbC123';
  const POSTGRES = {
    checkpointStore: 'postgres',
    rdsHost: 'cdc.cluster-c0ffee.us-east-1.rds.amazonaws.com',
    rdsDatabase: 'cdc',
    rdsSecretArn: RDS_SECRET,
  };
  const pollerEnv = (template: CfnTemplate): Record<string, unknown> =>
    (template.Resources.PollerLambdaFunction?.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
  const secretGrants = (template: CfnTemplate, role: string): unknown[] =>
    grants(statementsOf(template, role), 'secretsmanager:GetSecretValue').map((s) => s.Resource);
  const roles = (template: CfnTemplate): string[] => resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id);

  it("is DynamoDB by default: no database in the poller's environment and no secret it may read", () => {
    const env = pollerEnv(tpl('dev'));
    expect(env.CDC_CHECKPOINT_STORE).toBe('dynamodb');
    for (const name of ['CDC_RDS_HOST', 'CDC_RDS_DATABASE', 'CDC_RDS_SECRET_ARN', 'NODE_EXTRA_CA_CERTS'])
      expect(env[name]).toBeUndefined();
    for (const role of roles(tpl('dev'))) expect(secretGrants(tpl('dev'), role)).toEqual([]);
  });

  it("with checkpointStore postgres: the instance in the poller's environment, and the poller alone may read its secret, that one only", async () => {
    const template = await packagedWith(WITH_POSTGRES_AND_EMAIL);
    expect(pollerEnv(template)).toMatchObject({
      CDC_CHECKPOINT_STORE: 'postgres',
      CDC_RDS_HOST: POSTGRES.rdsHost,
      CDC_RDS_DATABASE: 'cdc',
      CDC_RDS_SECRET_ARN: RDS_SECRET,
      CDC_CHECKPOINT_TABLE: 'cdc-pipeline-dev-checkpoints',
      NODE_EXTRA_CA_CERTS: 'certs/rds-global-bundle.pem',
    });
    expect(secretGrants(template, 'PollerRole')).toEqual([RDS_SECRET]);
    for (const role of roles(template).filter((r) => r !== 'PollerRole'))
      expect(secretGrants(template, role)).toEqual([]);
  }, 120_000);

  it.each([
    [{ checkpointStore: 'postgres' }, /set param rdsHost and rdsDatabase/],
    [{ ...POSTGRES, rdsSecretArn: null }, /set param rdsSecretArn to the ARN of the Secrets Manager secret/],
    [{ ...POSTGRES, rdsSecretArn: 'cdc-db-credentials' }, /set param rdsSecretArn to the ARN/],
    [{ checkpointStore: 'rds' }, /param checkpointStore: must be one of dynamodb, postgres, got rds/],
  ])('refuses to package %j, naming the param', async (params, message) => {
    // The file serverless.yml loads (`${file(./resources/checkpoint-store.js):conditions}`), called as osls calls it.
    const { conditions } = createRequire(__filename)('../../../resources/checkpoint-store.js') as {
      conditions: (io: { resolveVariable: (v: string) => Promise<unknown> }) => Promise<unknown>;
    };
    const values: Record<string, unknown> = { 'sls:stage': 'dev', ...params };
    const resolveVariable = async (variable: string): Promise<unknown> =>
      values[variable.replace(/^param:/, '').replace(/, null$/, '')] ?? null;
    await expect(conditions({ resolveVariable })).rejects.toThrow(message);
  });
});

describe('alarms and the dashboard (stage dev)', () => {
  /** Every (metric, dimension names) the functions' metric code emits, from facts reaching each of its branches. */
  function emitted(): Set<string> {
    const now = new Date('2026-11-24T12:00:00.000Z');
    const run = {
      pages: 1,
      fetched: 1,
      published: 1,
      duplicates: 1,
      lateChanges: 1,
      redelivered: 1,
      parked: { KAFKA_UNAVAILABLE: 1 },
      checkpointAfter: { updatedAt: '2026-11-24T11:00:00.000Z' },
      stoppedBecause: 'done' as const,
    };
    const points = [
      ...pollerMetrics({ stage: 'dev', entity: 'customer', summary: run, sourceErrors: { '5xx': 1 }, now }),
      ...pollerMetrics({ stage: 'dev', entity: 'customer', sourceErrors: {}, now }),
      ...pollerMetrics({ stage: 'dev', entity: 'customer', summary: { ...run, window: {} }, sourceErrors: {}, now }),
      ...consumerMetrics({
        stage: 'dev',
        byEntity: {
          customer: { records: 1, rows: 1, objects: 1, deadLettered: { UNDECODABLE: 1 }, newestRecordAt: 0 },
        },
        now,
      }),
      ...retryMetrics({
        stage: 'dev',
        published: 1,
        failed: 1,
        stillInvalid: 1,
        stale: 1,
        superseded: 1,
        archived: 1,
        now,
      }),
      ...jobMetrics(
        'dev',
        [
          { name: 'cdc-batch-customer', started: true },
          { name: 'x', started: false },
        ],
        [{ name: 'x' }],
      ),
      ...jobMetrics('dev', 'failed'),
      ...streamMetrics('dev', [{ name: 'cdc-continuous-customer', started: true, state: 'SUBMITTED' }]),
    ];
    return new Set(points.map((p) => `${p.metric.name} [${Object.keys(p.dimensions).join(',')}]`));
  }

  const alarms = () =>
    resourcesOfType(tpl('dev'), 'AWS::CloudWatch::Alarm') as [
      string,
      {
        Namespace: string;
        MetricName: string;
        Dimensions: { Name: string; Value: unknown }[];
        AlarmActions: unknown[];
        TreatMissingData: string;
        EvaluationPeriods: number;
        Period: number;
      },
    ][];

  it('watch only metrics the code emits, with the same names and dimensions, and all notify the alert topic', () => {
    const ours = alarms().filter(([, a]) => a.Namespace === 'CdcPipeline');
    expect(ours.length).toBeGreaterThan(ENTITIES.length * 3);
    const known = emitted();
    for (const [id, a] of ours) {
      expect(`${id}: ${a.MetricName} [${a.Dimensions.map((d) => d.Name).join(',')}]`).toBe(
        `${id}: ${[...known].find((k) => k === `${a.MetricName} [${a.Dimensions.map((d) => d.Name).join(',')}]`) ?? 'a metric the code does not emit'}`,
      );
      expect(a.Dimensions.find((d) => d.Name === 'stage')?.Value).toBe('dev');
    }
    for (const [, a] of alarms()) expect(a.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
  });

  it("cover each entity (a failing or silent poller, checkpoint lag, dead letters, a failed Spark run), the backlog, STALE events, and every function's errors and throttles", () => {
    const watched = alarms().map(([, a]) =>
      [a.MetricName, ...a.Dimensions.filter((d) => d.Name !== 'stage').map((d) => JSON.stringify(d.Value))].join(' '),
    );
    for (const entity of ENTITIES) {
      const e = JSON.stringify(entity);
      expect(watched).toEqual(
        expect.arrayContaining([
          `PollerRuns ${e} "failed"`,
          `PollerHeartbeat ${e}`,
          `PollerCheckpointLag ${e}`,
          `ConsumerDeadLettered ${e} "SCHEMA_NOT_FOUND"`,
          `ConsumerDeadLettered ${e} "UNDECODABLE"`,
          `JobRunsFailed "cdc-batch-${entity}"`,
          `JobRunsFailed "cdc-streaming-${entity}"`,
        ]),
      );
    }
    expect(watched).toEqual(
      expect.arrayContaining(['RetryOldestDueAge', 'RetryTurnedStale', 'JobRunsFailedOnStart "launch"']),
    );
    for (const fn of ['Poller', 'Consumer', 'Retry', 'JobLauncher'])
      for (const metric of ['Errors', 'Throttles'])
        expect(watched).toContain(`${metric} ${JSON.stringify({ Ref: `${fn}LambdaFunction` })}`);
    expect(watched).toContain(`OffsetLag ${JSON.stringify({ Ref: 'ConsumerLambdaFunction' })}`);
    expect(watched).toContain(`IteratorAge ${JSON.stringify({ Ref: 'RetryLambdaFunction' })}`);
  });

  it('count a poller that sends nothing as silent: missing data breaches, over alarmPollerMissedPeriods of its schedule', () => {
    const silent = alarms().find(([id]) => id === 'CustomerPollerSilentAlarm')![1];
    expect(silent).toMatchObject({ TreatMissingData: 'breaching', EvaluationPeriods: 3, Period: 300 });
  });

  it('let CloudWatch publish to the alert topic (this account only), subscribe alarmEmail when set, and draw a dashboard per stage', async () => {
    const policy = resourcesOfType(tpl('dev'), 'AWS::SNS::TopicPolicy')[0]![1] as {
      PolicyDocument: { Statement: { Sid: string; Principal?: unknown; Condition?: unknown }[] };
    };
    const allow = policy.PolicyDocument.Statement.find((st) => st.Sid === 'CloudWatchAlarmsPublish');
    expect(allow).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' } });
    expect(JSON.stringify(allow?.Condition)).toContain('aws:SourceAccount');
    expect(resourcesOfType(tpl('dev'), 'AWS::SNS::Subscription')).toEqual([]);
    const withEmail = await packagedWith(WITH_POSTGRES_AND_EMAIL);
    expect(resourcesOfType(withEmail, 'AWS::SNS::Subscription').map(([, p]) => p)).toEqual([
      { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: 'data-oncall@example.com' },
    ]);
    const dashboard = resourcesOfType(tpl('dev'), 'AWS::CloudWatch::Dashboard')[0]?.[1] as
      | { DashboardBody: { 'Fn::Sub': string } }
      | undefined;
    const body = JSON.parse(dashboard!.DashboardBody['Fn::Sub']) as { widgets: { properties: { title: string } }[] };
    for (const entity of ENTITIES) expect(body.widgets.map((w) => w.properties.title)).toContain(`${entity}: poller`);
  }, 120_000);
});

describe('least privilege per function (stage dev)', () => {
  /** Every (action, resource) pair a role is granted, resources written as in the template. */
  function grantsOf(role: string): Set<string> {
    const pairs = new Set<string>();
    for (const s of statementsOf(tpl('dev'), role)) {
      for (const action of ([] as string[]).concat(s.Action as string | string[])) {
        for (const resource of ([] as unknown[]).concat(s.Resource)) pairs.add(`${action} ${resourceName(resource)}`);
      }
    }
    return pairs;
  }

  /** A resource as a short name: `FallbackTable`, `RawBucket/raw/*`, `topic cdc.customer`, `*`. */
  function resourceName(resource: unknown): string {
    const text = JSON.stringify(resource);
    const getAtt = /"Fn::GetAtt":\["(\w+)","(\w+)"\]/.exec(text);
    if (getAtt) return getAtt[2] === 'Arn' ? getAtt[1]! : `${getAtt[1]}.${getAtt[2]}`;
    const ref = /"Ref":"(\w+)"/.exec(text);
    if (ref) return ref[1]!;
    const sub = /\$\{(\w+)\.Arn\}([^"]*)/.exec(text);
    if (sub) return `${sub[1]}${sub[2]}`;
    const msk = /:(topic|group)\/[^/]+\/[^/]+\/([^"]+)/.exec(text);
    if (msk) return `${msk[1]} ${msk[2]}`;
    if (/:cluster\//.test(text)) return 'msk cluster';
    if (/:log-group:/.test(text)) return 'own log group';
    if (/:schema\//.test(text)) return 'registry schemas';
    if (/:glue:[^"]*:catalog"/.test(text)) return 'data catalog';
    if (/:database\/cdc_pipeline_dev"/.test(text)) return 'catalog database';
    if (/:table\/cdc_pipeline_dev\/\*"/.test(text)) return 'catalog tables';
    if (/:parameter\//.test(text)) return 'token parameter';
    const fn = /:function:([^"]+)"/.exec(text);
    if (fn) return `function ${fn[1]}`;
    return String(resource);
  }

  const each = (actions: string[], resources: string[]): string[] =>
    actions.flatMap((a) => resources.map((r) => `${a} ${r}`));
  const topics = ENTITIES.map((e) => `topic cdc.${e}`);
  const logs = each(['logs:CreateLogStream', 'logs:PutLogEvents'], ['own log group']);
  const registryRead = each(
    ['glue:GetSchemaByDefinition', 'glue:GetSchema', 'glue:ListSchemaVersions'],
    ['SchemaRegistry', 'registry schemas'],
  );
  const produce = [
    ...each(
      ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:WriteDataIdempotently'],
      ['msk cluster'],
    ),
    ...each(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], topics),
  ];
  const vpcEni = each(
    [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    ['*'],
  );

  // Exactly these: a grant added or widened fails here, and must be argued for in the change.
  const EXPECTED: Record<string, string[]> = {
    PollerRole: [
      ...logs,
      ...registryRead,
      'glue:GetSchemaVersion *',
      ...produce,
      ...vpcEni,
      'ssm:GetParameter token parameter',
      ...each(['dynamodb:GetItem', 'dynamodb:UpdateItem'], ['CheckpointTable']),
      ...each(
        ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        ['FallbackTable', `FallbackTable/index/${KEYS_INDEX}`],
      ),
      's3:PutObject RawBucket/oversized/*',
    ],
    ConsumerRole: [
      ...logs,
      'glue:GetSchemaVersion *',
      ...each(
        ['s3:PutObject'],
        ['RawBucket/raw/*', 'RawBucket/dead-letter/*', 'RawBucket/oversized/*', 'RawBucket/aws/lambda/*'],
      ),
      's3:DeleteObject RawBucket/raw/*',
      's3:ListBucket RawBucket',
      ...each(['dynamodb:GetItem', 'dynamodb:PutItem'], ['RawOffsetsTable']),
      'dynamodb:PutItem FallbackTable',
      ...each(
        [
          'kafka:DescribeCluster',
          'kafka:DescribeClusterV2',
          'kafka:GetBootstrapBrokers',
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
        ],
        ['msk cluster'],
      ),
      ...each(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], topics),
      ...each(
        ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        ENTITIES.map((e) => `group cdc-pipeline-dev-consumer-${e}`),
      ),
      ...each(
        [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        ['*'],
      ),
    ],
    RetryRole: [
      ...logs,
      ...registryRead,
      'glue:GetSchemaVersion *',
      ...produce,
      ...vpcEni,
      ...each(
        ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        ['FallbackTable.StreamArn'],
      ),
      ...each(
        ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
        ['FallbackTable', `FallbackTable/index/${DUE_INDEX}`],
      ),
      's3:GetObject RawBucket/oversized/*',
      's3:PutObject RawBucket/stale/*',
      'sns:Publish AlertTopic',
      // Only itself: a sweep out of time chains the next one.
      'lambda:InvokeFunction function cdc-pipeline-dev-retry',
      // Publishing to a topic encrypted with a customer-managed key needs these on the key.
      ...each(['kms:GenerateDataKey', 'kms:Decrypt'], ['AlertTopicKey']),
    ],
    JobLauncherRole: [
      ...logs,
      'iam:PassRole SparkJobRole',
      ...each(
        [
          'emr-serverless:StartJobRun',
          'emr-serverless:ListJobRuns',
          'emr-serverless:GetJobRun',
          'emr-serverless:CancelJobRun',
          'emr-serverless:TagResource',
        ],
        ['SparkApplication', 'SparkApplication/jobruns/*'],
      ),
      ...each(['glue:GetSchemaVersion'], ['SchemaRegistry', 'registry schemas']),
    ],
    SparkJobRole: [
      ...each(['s3:ListBucket'], ['RawBucket', 'LakeBucket', 'ArtifactsBucket']),
      ...each(['s3:GetObject'], ['RawBucket/raw/*', 'ArtifactsBucket/jobs/*']),
      ...each(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], ['LakeBucket/*', 'ArtifactsBucket/logs/*']),
      ...each(['glue:GetSchemaVersion'], ['SchemaRegistry', 'registry schemas']),
      ...each(
        ['glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'],
        ['data catalog', 'catalog database', 'catalog tables'],
      ),
    ],
  };

  it.each(Object.keys(EXPECTED))('%s is granted exactly what its function uses', (role) => {
    expect([...grantsOf(role)].sort()).toEqual([...new Set(EXPECTED[role])].sort());
  });

  it("no role but the job launcher may pass a role, none may touch another function's tables or prefixes", () => {
    const roles = Object.keys(EXPECTED);
    expect(
      resourcesOfType(tpl('dev'), 'AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual([...roles].sort());
    const who = (pattern: RegExp): string[] => roles.filter((r) => [...grantsOf(r)].some((g) => pattern.test(g)));
    expect(who(/^iam:PassRole/)).toEqual(['JobLauncherRole']);
    expect(who(/CheckpointTable/)).toEqual(['PollerRole']);
    expect(who(/LakeBucket/)).toEqual(['SparkJobRole']);
    expect(who(/^sns:/)).toEqual(['RetryRole']);
    expect(who(/AlertTopicKey/)).toEqual(['RetryRole']);
    expect(who(/WriteData/)).toEqual(['PollerRole', 'RetryRole']);
    // Items leave the fallback table only through the retry function (BatchWriteItem can delete too).
    expect(who(/^dynamodb:(DeleteItem|BatchWriteItem|\*) FallbackTable/)).toEqual(['RetryRole']);
  });
});

type MskResource = 'cluster' | 'topic' | 'group' | 'transactional-id';
const mskAction = (resource: MskResource, ...requires: string[]): { resource: MskResource; requires: string[] } => ({
  resource,
  requires: requires.map((a) => `kafka-cluster:${a}`),
});

/**
 * Every `kafka-cluster:` action with the resource type it is checked against and the actions it
 * requires, from the MSK developer guide, "Semantics of IAM authorization policy actions and
 * resources" (docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html). A grant on a resource
 * of another type deploys fine and is simply never matched: the client is refused at run time.
 */
const MSK_ACTIONS: Record<string, { resource: MskResource; requires: string[] }> = {
  'kafka-cluster:Connect': mskAction('cluster'),
  'kafka-cluster:DescribeCluster': mskAction('cluster', 'Connect'),
  'kafka-cluster:AlterCluster': mskAction('cluster', 'Connect', 'DescribeCluster'),
  'kafka-cluster:DescribeClusterDynamicConfiguration': mskAction('cluster', 'Connect'),
  'kafka-cluster:AlterClusterDynamicConfiguration': mskAction(
    'cluster',
    'Connect',
    'DescribeClusterDynamicConfiguration',
  ),
  // InitProducerId (every idempotent producer, kafkajs `idempotent: true`) is authorised on the cluster.
  'kafka-cluster:WriteDataIdempotently': mskAction('cluster', 'Connect', 'WriteData'),
  'kafka-cluster:CreateTopic': mskAction('topic', 'Connect'),
  'kafka-cluster:DescribeTopic': mskAction('topic', 'Connect'),
  'kafka-cluster:AlterTopic': mskAction('topic', 'Connect', 'DescribeTopic'),
  'kafka-cluster:DeleteTopic': mskAction('topic', 'Connect', 'DescribeTopic'),
  'kafka-cluster:DescribeTopicDynamicConfiguration': mskAction('topic', 'Connect'),
  'kafka-cluster:AlterTopicDynamicConfiguration': mskAction('topic', 'Connect', 'DescribeTopicDynamicConfiguration'),
  'kafka-cluster:ReadData': mskAction('topic', 'Connect', 'DescribeTopic', 'AlterGroup'),
  'kafka-cluster:WriteData': mskAction('topic', 'Connect', 'DescribeTopic'),
  'kafka-cluster:DescribeGroup': mskAction('group', 'Connect'),
  'kafka-cluster:AlterGroup': mskAction('group', 'Connect', 'DescribeGroup'),
  'kafka-cluster:DeleteGroup': mskAction('group', 'Connect', 'DescribeGroup'),
  'kafka-cluster:DescribeTransactionalId': mskAction('transactional-id', 'Connect'),
  'kafka-cluster:AlterTransactionalId': mskAction(
    'transactional-id',
    'Connect',
    'DescribeTransactionalId',
    'WriteData',
  ),
};

/** The MSK resource type an ARN names (`arn:aws:kafka:<region>:<account>:<type>/<cluster>/…`). */
function mskResourceType(resource: unknown): string {
  return (
    /^arn:[\w-]+:kafka:[^:]*:[^:]*:([\w-]+)\//.exec(String(resource))?.[1] ??
    `not an MSK ARN: ${JSON.stringify(resource)}`
  );
}

describe.each([
  ['dev', false],
  ['prod', false],
  ['dev with SCRAM', true],
] as const)('MSK IAM grants of stage %s follow the access-control reference', (stage, scram) => {
  let template: CfnTemplate;
  beforeAll(async () => {
    template = scram ? await packagedWith(SCRAM_PARAMS) : tpl(stage);
  }, 120_000);

  const kafkaGrants = (role: string): { action: string; resources: unknown[] }[] =>
    statementsOf(template, role).flatMap((s) =>
      ([] as string[])
        .concat(s.Action as string | string[])
        .filter((a) => a.startsWith('kafka-cluster:'))
        .map((action) => ({ action, resources: ([] as unknown[]).concat(s.Resource) })),
    );
  const roles = (): string[] => resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id);

  it('grants each kafka-cluster action on resources of the type the reference checks it against', () => {
    for (const role of roles()) {
      for (const { action, resources } of kafkaGrants(role)) {
        const expected = MSK_ACTIONS[action]?.resource ?? 'an action the reference lists';
        for (const resource of resources)
          expect(`${role}: ${action} on ${mskResourceType(resource)}`).toBe(`${role}: ${action} on ${expected}`);
      }
    }
  });

  it('grants with each kafka-cluster action the actions the reference says it requires', () => {
    for (const role of roles()) {
      const granted = new Set(kafkaGrants(role).map((g) => g.action));
      for (const action of granted) {
        const missing = (MSK_ACTIONS[action]?.requires ?? []).filter((r) => !granted.has(r));
        expect(`${role}: ${action} lacks [${missing.join(', ')}]`).toBe(`${role}: ${action} lacks []`);
      }
    }
  });
});

type PolicyStatement = {
  Effect: string;
  Principal?: { AWS?: unknown; Service?: string | string[] };
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
const actionsOf = (s: PolicyStatement): string[] => ([] as string[]).concat(s.Action);

describe.each(['dev', 'prod'])('template security of stage %s', (stage) => {
  it("lets EMR Serverless assume the Spark job role only on behalf of this account's Spark application (confused deputy)", () => {
    const trust = (
      tpl(stage).Resources.SparkJobRole?.Properties.AssumeRolePolicyDocument as { Statement: PolicyStatement[] }
    ).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'emr-serverless.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    expect(trust[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['SparkApplication', 'Arn'] } },
    });
  });

  it('encrypts the alert topic with its own rotated key, through an alias, not with alias/aws/sns', () => {
    const topic = tpl(stage).Resources.AlertTopic;
    const aliases = resourcesOfType(tpl(stage), 'AWS::KMS::Alias').filter(
      ([, p]) => p.AliasName === topic?.Properties.KmsMasterKeyId,
    );
    expect(aliases).toHaveLength(1);
    const [aliasId, alias] = aliases[0]!;
    expect(alias.AliasName).toBe(`alias/cdc-pipeline-${stage}-alerts`);
    expect(alias.TargetKeyId).toEqual({ Ref: 'AlertTopicKey' });
    // The topic names the key by alias, so CloudFormation must create the alias first.
    expect(([] as unknown[]).concat(topic?.DependsOn)).toContain(aliasId);
    const key = tpl(stage).Resources.AlertTopicKey;
    expect(key?.Type).toBe('AWS::KMS::Key');
    expect(key?.Properties).toMatchObject({
      EnableKeyRotation: true,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
  });

  it('lets the account (so IAM policies), CloudWatch alarms and EventBridge use the alert key, and no one else', () => {
    const policy = tpl(stage).Resources.AlertTopicKey?.Properties.KeyPolicy as { Statement: PolicyStatement[] };
    const root = policy.Statement.filter(
      (s) =>
        JSON.stringify(s.Principal?.AWS) ===
        JSON.stringify({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }),
    );
    expect(root).toHaveLength(1);
    expect(root[0]).toMatchObject({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    const services = policy.Statement.filter((s) => s.Principal?.Service !== undefined);
    expect(services.flatMap((s) => ([] as string[]).concat(s.Principal?.Service ?? [])).sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'events.amazonaws.com',
    ]);
    for (const s of services) {
      expect(s.Effect).toBe('Allow');
      expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    }
    expect(policy.Statement).toHaveLength(root.length + services.length);
  });

  it('lets the retry role use the alert key only through SNS', () => {
    const kms = statementsOf(tpl(stage), 'RetryRole').filter((s) =>
      JSON.stringify(s.Resource).includes('AlertTopicKey'),
    ) as PolicyStatement[];
    expect(kms).toHaveLength(1);
    expect(actionsOf(kms[0]!).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms[0]?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } },
    });
  });
});

describe('the lake mode', () => {
  const streamAlarms = (template: CfnTemplate) =>
    resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([id]) => /^Stream.*NotRunningAlarm$/.test(id)) as [
      string,
      {
        MetricName: string;
        Dimensions: { Name: string; Value: unknown }[];
        EvaluationPeriods: number;
        ComparisonOperator: string;
      },
    ][];

  it('passes lakeMode and the trigger interval to the job launcher, batch and 30 s by default, with no stream alarm', () => {
    const [, launcher] = resourcesOfType(tpl('dev'), 'AWS::Lambda::Function').find(
      ([id]) => id === 'JobLauncherLambdaFunction',
    )!;
    expect((launcher as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables).toMatchObject({
      CDC_LAKE_MODE: 'batch',
      CDC_STREAM_TRIGGER_SECONDS: '30',
    });
    expect(streamAlarms(tpl('dev'))).toEqual([]);
  });

  it('alarms, with lakeMode streaming, on each stream not running at two checks in a row', async () => {
    const template = await packagedWith({ lakeMode: 'streaming' });
    const alarms = streamAlarms(template);
    expect(alarms.map(([, a]) => a.Dimensions.find((d) => d.Name === 'job')?.Value).sort()).toEqual(
      ENTITIES.map((e) => `cdc-continuous-${e}`).sort(),
    );
    for (const [, a] of alarms)
      expect(a).toMatchObject({
        MetricName: 'StreamRunning',
        EvaluationPeriods: 2,
        ComparisonOperator: 'LessThanThreshold',
      });
  }, 120_000);
});
