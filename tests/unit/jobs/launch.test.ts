import { jobSpec, launchJobs } from '../../../lib/jobs';
import { createLogger } from '../../../lib/log';
import { FakeJobRunner } from '../../helpers/fake-job-runner';

const settings = {
  stage: 'dev',
  rawBucket: 'raw-b',
  lakeBucket: 'lake-b',
  artifactsBucket: 'art-b',
  schemaRegistry: 'reg',
  topicPrefix: 'cdc',
};

describe('the job launcher core', () => {
  it('builds the EMR Serverless run: entry point and code in the artifacts bucket, the entity, Delta, logs, tags', () => {
    const spec = jobSpec('batch', ['customer'], settings);
    expect(spec).toMatchObject({
      name: 'cdc-batch-customer',
      entryPoint: 's3://art-b/jobs/entrypoint.py',
      entryPointArguments: [
        '--mode',
        'batch',
        '--entity',
        'customer',
        '--raw-root',
        's3://raw-b',
        '--lake-root',
        's3://lake-b/delta',
        '--registry',
        'reg',
        '--schema-prefix',
        'cdc',
      ],
      logUri: 's3://art-b/logs/',
      tags: { project: 'cdc-pipeline', stage: 'dev', mode: 'batch', entities: 'customer' },
    });
    expect(spec.sparkSubmitParameters).toContain('--py-files s3://art-b/jobs/cdc_jobs.zip');
    expect(spec.sparkSubmitParameters).toContain('--conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension');
    expect(jobSpec('streaming', ['a', 'b'], settings).entryPointArguments).toEqual(
      expect.arrayContaining(['--entity', 'a,b', '--trigger', 'available-now']),
    );
  });

  it('starts one run per entity, or one for all, and never a second run of a name still going', async () => {
    const runner = new FakeJobRunner();
    const log = createLogger({}, () => undefined);
    const now = () => new Date('2026-11-25T10:15:30Z');
    const first = await launchJobs(
      { mode: 'batch', entities: ['customer', 'invoice'], grouping: 'entity' },
      runner,
      settings,
      log,
      now,
    );
    expect(first.map((r) => [r.name, r.jobRunId, r.started])).toEqual([
      ['cdc-batch-customer', 'run-1', true],
      ['cdc-batch-invoice', 'run-2', true],
    ]);
    expect(runner.started[0]!.token).toBe('cdc-batch-customer-2026-11-25T10:15');
    runner.runs.delete('cdc-batch-invoice');
    const second = await launchJobs(
      { mode: 'batch', entities: ['customer', 'invoice'], grouping: 'entity' },
      runner,
      settings,
      log,
      now,
    );
    expect(second.map((r) => [r.name, r.jobRunId, r.started])).toEqual([
      ['cdc-batch-customer', 'run-1', false],
      ['cdc-batch-invoice', 'run-3', true],
    ]);
    // Once those runs are done (beside them, nothing would start: see the next test).
    runner.runs.clear();
    const all = await launchJobs(
      { mode: 'streaming', entities: ['customer', 'invoice'], grouping: 'all' },
      runner,
      settings,
      log,
      now,
    );
    expect(all.map((r) => r.name)).toEqual(['cdc-streaming-customer+invoice']);
  });

  it('starts no run for an entity that a run of another mode or grouping is still applying, and runs the others', async () => {
    const runner = new FakeJobRunner();
    const log = createLogger({}, () => undefined);
    runner.going('cdc-streaming-customer+invoice', 'stream-1');
    const perEntity = await launchJobs(
      { mode: 'batch', entities: ['customer', 'invoice', 'payment'], grouping: 'entity' },
      runner,
      settings,
      log,
    );
    expect(perEntity.map((r) => [r.entities, r.name, r.jobRunId, r.started])).toEqual([
      [['customer'], 'cdc-streaming-customer+invoice', 'stream-1', false],
      [['invoice'], 'cdc-streaming-customer+invoice', 'stream-1', false],
      [['payment'], 'cdc-batch-payment', 'run-1', true],
    ]);
    runner.runs.delete('cdc-batch-payment');
    const all = await launchJobs(
      { mode: 'batch', entities: ['customer', 'invoice', 'payment'], grouping: 'all' },
      runner,
      settings,
      log,
    );
    expect(all.map((r) => [r.entities, r.name, r.jobRunId, r.started])).toEqual([
      [['customer', 'invoice'], 'cdc-streaming-customer+invoice', 'stream-1', false],
      [['payment'], 'cdc-batch-payment', 'run-2', true],
    ]);
    expect(runner.started.map((s) => s.spec.entities)).toEqual([['payment'], ['payment']]);
  });

  it('runs maintenance with the time-travel window, and every mode registers its tables in the catalog database', () => {
    const withCatalog = { ...settings, timeTravelHours: 200, catalogDatabase: 'cdc_pipeline_dev' };
    expect(jobSpec('maintenance', ['customer'], withCatalog)).toMatchObject({
      name: 'cdc-maintenance-customer',
      runMode: 'BATCH',
      entryPointArguments: expect.arrayContaining(['--mode', 'maintenance', '--time-travel-hours', '200']),
    });
    for (const mode of ['batch', 'streaming', 'continuous', 'maintenance'] as const)
      expect(jobSpec(mode, ['customer'], withCatalog).entryPointArguments.join(' ')).toContain(
        '--catalog-database cdc_pipeline_dev',
      );
    expect(jobSpec('batch', ['customer'], settings).entryPointArguments).not.toContain('--catalog-database');
    expect(jobSpec('batch', ['customer'], withCatalog).entryPointArguments).not.toContain('--time-travel-hours');
  });

  it('runs maintenance beside the other runs of its entities, and never beside another maintenance run', async () => {
    const runner = new FakeJobRunner();
    const log = createLogger({}, () => undefined);
    runner.going('cdc-continuous-customer', 'stream-1');
    runner.going('cdc-maintenance-invoice', 'maint-1');
    const runs = await launchJobs(
      { mode: 'maintenance', entities: ['customer', 'invoice'], grouping: 'entity' },
      runner,
      settings,
      log,
    );
    expect(runs.map((r) => [r.entities, r.name, r.started])).toEqual([
      [['customer'], 'cdc-maintenance-customer', true],
      [['invoice'], 'cdc-maintenance-invoice', false],
    ]);
    // And a batch run is not held back by a maintenance run.
    const batch = await launchJobs({ mode: 'batch', entities: ['invoice'], grouping: 'entity' }, runner, settings, log);
    expect(batch.map((r) => [r.name, r.started])).toEqual([['cdc-batch-invoice', true]]);
  });
});
