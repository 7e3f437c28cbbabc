import { type ActiveRun, type JobRunner, type JobSpec, jobSpec, launchJobs, type RunState } from '../../../lib/jobs';
import { createLogger } from '../../../lib/log';

const settings = {
  stage: 'dev',
  rawBucket: 'raw-b',
  lakeBucket: 'lake-b',
  artifactsBucket: 'art-b',
  schemaRegistry: 'reg',
  topicPrefix: 'cdc',
};

class FakeRunner implements JobRunner {
  readonly started: { spec: JobSpec; token: string }[] = [];
  readonly running = new Map<string, string>();

  async activeRuns(): Promise<ActiveRun[]> {
    return [...this.running].map(([name, jobRunId]) => ({ name, jobRunId, state: 'RUNNING' }));
  }

  async start(spec: JobSpec, token: string): Promise<string> {
    this.started.push({ spec, token });
    const id = `run-${this.started.length}`;
    this.running.set(spec.name, id);
    return id;
  }

  async state(): Promise<RunState> {
    return 'RUNNING';
  }

  async failedSince(): Promise<ActiveRun[]> {
    return [];
  }
}

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
    const runner = new FakeRunner();
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
    runner.running.delete('cdc-batch-invoice');
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
    runner.running.clear();
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
    const runner = new FakeRunner();
    const log = createLogger({}, () => undefined);
    runner.running.set('cdc-streaming-customer+invoice', 'stream-1');
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
    runner.running.delete('cdc-batch-payment');
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
});
