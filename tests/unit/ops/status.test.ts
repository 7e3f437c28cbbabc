import { collectStatus } from '../../../ops/status/collect-status';
import { gatherStatus } from '../../../ops/status/gather-status';
import { formatStatus } from '../../../ops/status/format-status';
import { humanDuration } from '../../../ops/text/durations';
import type { JobRunRecord } from '../../../ops/status/ports';
import { LocalJobRuns } from '../../../ops/status/local-job-runs';
import { fakeStage, jobsOf, NOW, parkedChange, STAGE } from './fakes';

const ENTITIES = ['customer', 'invoice', 'payment'];

function run(
  name: string,
  createdAt: string,
  state: JobRunRecord['state'],
  jobRunId = `${name}-${createdAt}`,
): JobRunRecord {
  return { name, jobRunId, state, createdAt, stateFrom: 'emr-serverless' };
}

async function statusOf(stage: ReturnType<typeof fakeStage>) {
  return gatherStatus(stage, {
    stage: 'test',
    checkpointStore: { kind: 'dynamodb', table: 'cp' },
    entities: ENTITIES,
    thresholds: STAGE.health,
  });
}

describe('status', () => {
  it('says where the checkpoints were read: the DynamoDB table, or the PostgreSQL database and table, never the secret', async () => {
    const secretId = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-AbC123';
    const onPostgres = {
      ...fakeStage(),
      stage: {
        ...STAGE,
        checkpointStore: {
          kind: 'postgres' as const,
          table: 'cp',
          host: 'db.internal',
          port: 5432,
          database: 'cdc',
          secretId,
          tls: true,
        },
      },
    };
    const status = await collectStatus(onPostgres.stage, { adapters: onPostgres });
    expect(status.checkpointStore).toEqual({ kind: 'postgres', table: 'cp', database: 'db.internal:5432/cdc' });
    expect(formatStatus(status)).toContain('Checkpoints: PostgreSQL db.internal:5432/cdc, table cp.');
    expect(JSON.stringify(status)).not.toContain('secret');
    const onDynamoDb = fakeStage();
    expect(formatStatus(await collectStatus(onDynamoDb.stage, { adapters: onDynamoDb }))).toContain(
      'Checkpoints: DynamoDB table cp.',
    );
  });

  it('gives each entity its checkpoint and the lag of its source time behind now, in seconds', async () => {
    const stage = fakeStage();
    await stage.checkpoints.save(
      'customer',
      { updatedAt: '2026-11-24T11:58:30.000Z', eventIdsAtUpdatedAt: ['e1', 'e2'] },
      undefined,
      'run-7',
    );
    const status = await statusOf(stage);
    expect(status.entities[0]).toMatchObject({
      entity: 'customer',
      lagSeconds: 90,
      checkpoint: {
        updatedAt: '2026-11-24T11:58:30.000Z',
        eventIdsAtUpdatedAt: 2,
        version: 1,
        savedBy: 'run-7',
        savedAt: null,
      },
    });
    expect(status.entities[1]).toMatchObject({ entity: 'invoice', checkpoint: null, lagSeconds: null, parked: 0 });
  });

  it('names the run polling an entity now and until when it holds it; an expired lease (a crashed run) is no run', async () => {
    const stage = fakeStage();
    const until = new Date(NOW.getTime() + 240_000);
    await stage.checkpoints.acquireLease('customer', '5f0c2a91-run-polling-now', NOW, until);
    await stage.checkpoints.acquireLease(
      'invoice',
      'crashed-run',
      new Date(NOW.getTime() - 600_000),
      new Date(NOW.getTime() - 1000),
    );
    const status = await statusOf(stage);
    expect(status.entities.map((e) => e.polling)).toEqual([
      { runId: '5f0c2a91-run-polling-now', until: until.toISOString() },
      null,
      null,
    ]);
    expect(formatStatus(status)).toMatch(
      /POLLING NOW\n(.*\n)*customer .* run 5f0c2a91 until 2026-11-24T12:04:00.000Z\ninvoice .* -\n/,
    );
  });

  it('counts parked events by entity, status and reason, how many are due, and names the oldest', async () => {
    const stage = fakeStage();
    stage.store.add(
      parkedChange('a', 300),
      parkedChange('b', 200),
      parkedChange('a', 100, { reason: 'PARKED_BEHIND_KEY' }),
      parkedChange('x', 600, {
        status: 'AMBIGUOUS',
        reason: 'SCHEMA_VALIDATION',
        nextAttemptAt: '2026-11-24T13:00:00.000Z',
      }),
      { ...parkedChange('i1', 50), entity: 'invoice' },
    );
    const status = await statusOf(stage);
    expect(status.fallback).toMatchObject({
      total: 5,
      due: 4,
      byStatus: { RETRIABLE: 4, AMBIGUOUS: 1, SUPERSEDED: 0, STALE: 0 },
    });
    expect(status.fallback.counts).toEqual([
      { entity: 'customer', status: 'RETRIABLE', reason: 'KAFKA_UNAVAILABLE', count: 2 },
      { entity: 'customer', status: 'RETRIABLE', reason: 'PARKED_BEHIND_KEY', count: 1 },
      { entity: 'customer', status: 'AMBIGUOUS', reason: 'SCHEMA_VALIDATION', count: 1 },
      { entity: 'invoice', status: 'RETRIABLE', reason: 'KAFKA_UNAVAILABLE', count: 1 },
    ]);
    expect(status.fallback.oldest).toEqual({
      entity: 'customer',
      id: 'x',
      status: 'AMBIGUOUS',
      reason: 'SCHEMA_VALIDATION',
      parkedAt: new Date(NOW.getTime() - 600_000).toISOString(),
      ageSeconds: 600,
    });
    expect(status.entities.map((e) => e.parked)).toEqual([4, 1, 0]);
  });

  it('shows an empty backlog as zero counts and no oldest item', async () => {
    const status = await statusOf(fakeStage());
    expect(status.fallback).toEqual({
      total: 0,
      due: 0,
      byStatus: { RETRIABLE: 0, AMBIGUOUS: 0, SUPERSEDED: 0, STALE: 0 },
      counts: [],
      oldest: null,
    });
    expect(formatStatus(status)).toContain('Fallback table: 0 item(s), 0 due for a retry now. Nothing parked.');
  });

  it('counts stale events both in the table and in the archive objects of the period', async () => {
    const stage = fakeStage();
    stage.store.add(
      parkedChange('s', 100, { status: 'STALE', reason: 'SCHEMA_VALIDATION' }),
      parkedChange('t', 100, { status: 'SUPERSEDED', reason: 'SCHEMA_VALIDATION' }),
    );
    const line = (status: string) => JSON.stringify({ entity: 'customer', id: 'z', status });
    stage.archive.objects.set(
      'stale/dt=2026-11-23/2026-11-23T10-00-00-000Z-r1.jsonl',
      `${line('STALE')}\n${line('SUPERSEDED')}\n`,
    );
    stage.archive.objects.set('stale/dt=2026-11-24/2026-11-24T10-00-00-000Z-r2.jsonl', `${line('STALE')}\n`);
    stage.archive.objects.set('stale/dt=2026-11-01/2026-11-01T10-00-00-000Z-r0.jsonl', `${line('STALE')}\n`);
    const { stale } = await statusOf(stage);
    expect(stale.inTable).toEqual({ STALE: 1, SUPERSEDED: 1 });
    expect(stale.archived).toMatchObject({
      since: '2026-11-17T12:00:00.000Z',
      objects: 2,
      events: 3,
      byStatus: { STALE: 2, SUPERSEDED: 1 },
      latest: 's3://in-memory-archive/stale/dt=2026-11-24/2026-11-24T10-00-00-000Z-r2.jsonl',
    });
  });

  it('keeps the last run of each job with its state', async () => {
    const stage = fakeStage([
      run('cdc-batch-customer', '2026-11-24T10:00:00.000Z', 'SUCCESS'),
      run('cdc-batch-customer', '2026-11-24T11:00:00.000Z', 'FAILED'),
      run('cdc-batch-invoice', '2026-11-24T11:30:00.000Z', 'RUNNING'),
      run('cdc-batch-payment', '2026-11-01T11:30:00.000Z', 'SUCCESS'),
    ]);
    const { jobs } = await statusOf(stage);
    expect(jobs.map((j) => [j.name, j.state])).toEqual([
      ['cdc-batch-customer', 'FAILED'],
      ['cdc-batch-invoice', 'RUNNING'],
    ]);
  });

  it('still reports checkpoints and the backlog when the job runs cannot be read, naming the problem', async () => {
    const stage = {
      ...fakeStage(),
      jobs: jobsOf(new Error('EMR Serverless application cdc-pipeline-dev-spark not found')),
    };
    stage.store.add(parkedChange('a', 10));
    const status = await statusOf(stage);
    expect(status.fallback.total).toBe(1);
    expect(status.problems).toEqual(['job runs: EMR Serverless application cdc-pipeline-dev-spark not found']);
    expect(formatStatus(status)).toContain('Could not read:\n  job runs: EMR Serverless application');
  });

  it("names the consumer's on-failure destination and counts the batches its MSK mappings gave up on", async () => {
    const stage = fakeStage();
    expect((await statusOf(stage)).consumerFailures).toEqual({
      destination: 's3://raw/aws/lambda/',
      batches: 0,
      latest: null,
    });
    expect(formatStatus(await statusOf(stage))).toContain(
      'Consumer on-failure destination: s3://raw/aws/lambda/, no batch given up on.',
    );
    stage.failedBatches.objects.set('aws/lambda/3f1c/cdc.customer-0/2026/11/24/2026-11-24T10.00.00-a', '{}');
    stage.failedBatches.objects.set('aws/lambda/3f1c/cdc.customer-1/2026/11/24/2026-11-24T11.00.00-b', '{}');
    const status = await statusOf(stage);
    expect(status.consumerFailures).toEqual({
      destination: 's3://raw/aws/lambda/',
      batches: 2,
      latest: 's3://raw/aws/lambda/3f1c/cdc.customer-1/2026/11/24/2026-11-24T11.00.00-b',
    });
    expect(formatStatus(status)).toContain(
      'Consumer on-failure destination: s3://raw/aws/lambda/, 2 batch(es) given up on, latest s3://raw/aws/lambda/3f1c/cdc.customer-1/2026/11/24/2026-11-24T11.00.00-b (replay: npm run redrive-consumer)',
    );
  });

  it('prints a table per part: checkpoints, backlog by status and reason per entity, stale, jobs', async () => {
    const stage = fakeStage([run('cdc-batch-customer', '2026-11-24T11:00:00.000Z', 'SUCCESS', 'run-1')]);
    await stage.checkpoints.save(
      'customer',
      { updatedAt: '2026-11-24T11:58:30.000Z', eventIdsAtUpdatedAt: [] },
      undefined,
      'run-7',
    );
    stage.store.add(parkedChange('a', 300), { ...parkedChange('i1', 50), entity: 'invoice' });
    const text = formatStatus(await statusOf(stage));
    expect(text).toContain('customer  2026-11-24T11:58:30.000Z  1m 30s');
    expect(text).toContain('invoice   never polled');
    expect(text).toMatch(
      /STATUS\s+REASON\s+CUSTOMER\s+INVOICE\s+PAYMENT\s+TOTAL\nRETRIABLE\s+KAFKA_UNAVAILABLE\s+1\s+1\s+0\s+2/,
    );
    expect(text).toContain(
      'Oldest parked: customer a, RETRIABLE KAFKA_UNAVAILABLE, parked 2026-11-24T11:55:00.000Z (5m ago)',
    );
    expect(text).toMatch(/cdc-batch-customer\s+SUCCESS\s+2026-11-24T11:00:00.000Z \(1h ago\)/);
  });
});

describe('job runs on stage local', () => {
  it("take the spark-submit stand-in's recorded state, and call a RUNNING run whose supervisor is gone FAILED", async () => {
    const runs = new LocalJobRuns(() => [
      {
        jobRunId: 'r1',
        name: 'cdc-batch-customer',
        state: 'SUCCESS',
        startedAt: '2026-11-24T11:00:00.000Z',
        endedAt: '2026-11-24T11:01:00.000Z',
        command: [],
        log: 'x',
      },
      {
        jobRunId: 'r2',
        name: 'cdc-batch-invoice',
        state: 'RUNNING',
        startedAt: '2026-11-24T11:30:00.000Z',
        command: [],
        log: 'x',
      },
      {
        jobRunId: 'r0',
        name: 'cdc-batch-payment',
        state: 'SUCCESS',
        startedAt: '2026-10-01T11:30:00.000Z',
        command: [],
        log: 'x',
      },
    ]);
    expect(await runs.runsSince(new Date('2026-11-20T00:00:00.000Z'))).toEqual([
      {
        name: 'cdc-batch-customer',
        jobRunId: 'r1',
        state: 'SUCCESS',
        createdAt: '2026-11-24T11:00:00.000Z',
        endedAt: '2026-11-24T11:01:00.000Z',
        stateFrom: 'local-spark-submit',
      },
      {
        name: 'cdc-batch-invoice',
        jobRunId: 'r2',
        state: 'FAILED',
        createdAt: '2026-11-24T11:30:00.000Z',
        stateFrom: 'local-spark-submit',
      },
    ]);
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [90, '1m 30s'],
    [3600, '1h'],
    [3660, '1h 1m'],
    [90_061, '1d 1h'],
    [86_400 * 3 + 59, '3d'],
  ])('%i s reads %s', (seconds, text) => {
    expect(humanDuration(seconds)).toBe(text);
  });
});
