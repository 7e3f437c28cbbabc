import { loadJobLauncherConfig } from '../../../functions/job-launcher/config';
import { jobSpec, launchJobs, STREAM_MAX_FAILED_ATTEMPTS_PER_HOUR, superviseStreams } from '../../../lib/jobs';
import { createLogger } from '../../../lib/log';
import { COMMON_ENV } from '../../helpers/config-env';
import { FakeJobRunner } from '../../helpers/fake-job-runner';
import { streamMetrics } from '../../../lib/metrics';

const settings = {
  stage: 'dev',
  rawBucket: 'raw-b',
  lakeBucket: 'lake-b',
  artifactsBucket: 'art-b',
  schemaRegistry: 'reg',
  topicPrefix: 'cdc',
  streamTriggerSeconds: 20,
};
const log = createLogger({}, () => undefined);
const now = () => new Date('2026-12-07T10:15:30Z');

const summary = (streams: { name: string; jobRunId: string; started: boolean; state: string }[]) =>
  streams.map((s) => [s.name, s.jobRunId, s.started, s.state]);

describe('the supervised streams', () => {
  it('runs a continuous stream as an EMR Serverless STREAMING run with a retry policy and the trigger interval', () => {
    const spec = jobSpec('continuous', ['customer'], settings);
    expect(spec).toMatchObject({
      name: 'cdc-continuous-customer',
      runMode: 'STREAMING',
      maxFailedAttemptsPerHour: STREAM_MAX_FAILED_ATTEMPTS_PER_HOUR,
    });
    expect(spec.entryPointArguments).toEqual(
      expect.arrayContaining(['--mode', 'streaming', '--trigger', 'continuous', '--trigger-seconds', '20']),
    );
    expect(jobSpec('batch', ['customer'], settings)).toMatchObject({ runMode: 'BATCH' });
    expect(jobSpec('batch', ['customer'], settings)).not.toHaveProperty('maxFailedAttemptsPerHour');
    expect(jobSpec('streaming', ['customer'], settings).entryPointArguments).toEqual(
      expect.arrayContaining(['--trigger', 'available-now']),
    );
  });

  it('starts one stream per group when none is going, and never a second one while it runs', async () => {
    const runner = new FakeJobRunner();
    const first = await superviseStreams([['customer'], ['invoice']], runner, settings, log, now);
    expect(summary(first)).toEqual([
      ['cdc-continuous-customer', 'run-1', true, 'SUBMITTED'],
      ['cdc-continuous-invoice', 'run-2', true, 'SUBMITTED'],
    ]);
    expect(runner.started[0]!.token).toBe('cdc-continuous-customer-2026-12-07T10:15');
    runner.runs.get('cdc-continuous-customer')!.state = 'RUNNING';
    const second = await superviseStreams([['customer'], ['invoice']], runner, settings, log, now);
    expect(summary(second)).toEqual([
      ['cdc-continuous-customer', 'run-1', false, 'RUNNING'],
      ['cdc-continuous-invoice', 'run-2', false, 'SUBMITTED'],
    ]);
    expect(runner.started).toHaveLength(2);
  });

  it('starts a stream again once EMR gave it up (FAILED past its retry policy) or it was cancelled', async () => {
    const runner = new FakeJobRunner();
    await superviseStreams([['customer'], ['invoice']], runner, settings, log, now);
    runner.runs.get('cdc-continuous-customer')!.state = 'FAILED';
    runner.runs.get('cdc-continuous-invoice')!.state = 'CANCELLED';
    const again = await superviseStreams([['customer'], ['invoice']], runner, settings, log, now);
    expect(summary(again)).toEqual([
      ['cdc-continuous-customer', 'run-3', true, 'SUBMITTED'],
      ['cdc-continuous-invoice', 'run-4', true, 'SUBMITTED'],
    ]);
  });

  it('gives an entity no second stream when a stream of another grouping applies it, and streams the rest', async () => {
    const runner = new FakeJobRunner();
    runner.going('cdc-continuous-customer+invoice', 'old');
    const perEntity = await superviseStreams([['customer'], ['invoice'], ['payment']], runner, settings, log, now);
    expect(perEntity.map((s) => [s.entities, s.name, s.started])).toEqual([
      [['customer'], 'cdc-continuous-customer+invoice', false],
      [['invoice'], 'cdc-continuous-customer+invoice', false],
      [['payment'], 'cdc-continuous-payment', true],
    ]);
  });

  it('is not held back by a batch run, and a batch run (lakeMode both) leaves out the entities a stream applies', async () => {
    const runner = new FakeJobRunner();
    runner.going('cdc-batch-customer', 'batch-1');
    const streams = await superviseStreams([['customer'], ['invoice']], runner, settings, log, now);
    expect(streams.map((s) => [s.name, s.started])).toEqual([
      ['cdc-continuous-customer', true],
      ['cdc-continuous-invoice', true],
    ]);
    runner.runs.delete('cdc-batch-customer');
    runner.runs.get('cdc-continuous-invoice')!.state = 'FAILED';
    const batch = await launchJobs(
      { mode: 'batch', entities: ['customer', 'invoice'], grouping: 'entity' },
      runner,
      settings,
      log,
      now,
    );
    expect(batch.map((r) => [r.entities, r.name, r.started])).toEqual([
      [['customer'], 'cdc-continuous-customer', false],
      [['invoice'], 'cdc-batch-invoice', true],
    ]);
  });

  describe('schema evolution', () => {
    const versions = new Map([
      ['customer', 1],
      ['invoice', 1],
    ]);
    const latestVersion = async (entity: string): Promise<number> => versions.get(entity)!;
    const noWait = { latestVersion, sleep: async () => undefined, pollMs: 1000, cancelWaitMs: 3000 };

    beforeEach(() => {
      versions.set('customer', 1);
      versions.set('invoice', 1);
    });

    it('tags a stream with the schema versions it starts on, and leaves it alone while they are the latest', async () => {
      const runner = new FakeJobRunner();
      await superviseStreams([['customer', 'invoice']], runner, settings, log, now, noWait);
      expect(runner.started[0]!.spec.tags).toMatchObject({ schemas: 'customer:1+invoice:1' });
      runner.runs.get('cdc-continuous-customer+invoice')!.state = 'RUNNING';
      const again = await superviseStreams([['customer', 'invoice']], runner, settings, log, now, noWait);
      expect(summary(again)).toEqual([['cdc-continuous-customer+invoice', 'run-1', false, 'RUNNING']]);
      expect(runner.cancelled).toEqual([]);
    });

    it('a newer version of a schema the stream reads: it is cancelled, and its successor starts on the new version', async () => {
      const runner = new FakeJobRunner();
      runner.going('cdc-continuous-customer', 'old', 'RUNNING', { schemas: 'customer:1' });
      runner.going('cdc-continuous-invoice', 'inv', 'RUNNING', { schemas: 'invoice:1' });
      versions.set('customer', 2);
      const out = await superviseStreams([['customer'], ['invoice']], runner, settings, log, now, noWait);
      expect(runner.cancelled).toEqual(['old']);
      expect(out.map((s) => [s.name, s.jobRunId, s.started, s.restartedBecause])).toEqual([
        ['cdc-continuous-customer', 'run-1', true, 'started on customer:1; latest customer:2'],
        ['cdc-continuous-invoice', 'inv', false, undefined],
      ]);
      expect(runner.started[0]!.spec.tags).toMatchObject({ schemas: 'customer:2' });
      expect(streamMetrics('dev', out).map((p) => [p.metric.name, p.dimensions.job])).toContainEqual([
        'StreamsRestartedForSchema',
        'cdc-continuous-customer',
      ]);
    });

    it('a stream started without the tag (before the launcher kept one) is restarted once', async () => {
      const runner = new FakeJobRunner();
      runner.going('cdc-continuous-customer', 'untagged');
      const out = await superviseStreams([['customer']], runner, settings, log, now, noWait);
      expect(runner.cancelled).toEqual(['untagged']);
      expect(out[0]).toMatchObject({ started: true, restartedBecause: expect.stringMatching(/without a schemas tag/) });
    });

    it('a stream slow to stop is left CANCELLING, never doubled; the next launcher run starts its successor', async () => {
      const runner = new FakeJobRunner();
      runner.cancelTo = 'CANCELLING';
      runner.going('cdc-continuous-customer', 'old', 'RUNNING', { schemas: 'customer:1' });
      versions.set('customer', 2);
      const sleeps: number[] = [];
      const out = await superviseStreams([['customer']], runner, settings, log, now, {
        ...noWait,
        sleep: async (ms) => void sleeps.push(ms),
      });
      // Polled for the wait (3 s, every second), then left to the next run.
      expect(sleeps).toEqual([1000, 1000, 1000]);
      expect(summary(out)).toEqual([['cdc-continuous-customer', 'old', false, 'CANCELLING']]);
      expect(runner.started).toEqual([]);
      // Not cancelled twice while it goes.
      await superviseStreams([['customer']], runner, settings, log, now, noWait);
      expect(runner.cancelled).toEqual(['old']);
      runner.runs.get('cdc-continuous-customer')!.state = 'CANCELLED';
      const next = await superviseStreams([['customer']], runner, settings, log, now, noWait);
      expect(summary(next)).toEqual([['cdc-continuous-customer', 'run-1', true, 'SUBMITTED']]);
      expect(runner.started[0]!.spec.tags).toMatchObject({ schemas: 'customer:2' });
    });

    it('without a registry to ask (latestVersion not given), streams are neither tagged nor restarted', async () => {
      const runner = new FakeJobRunner();
      runner.going('cdc-continuous-customer', 'untagged');
      await superviseStreams([['customer'], ['invoice']], runner, settings, log, now);
      expect(runner.cancelled).toEqual([]);
      expect(runner.started[0]!.spec.tags).not.toHaveProperty('schemas');
    });

    it('a registry that cannot answer fails the check loudly, and stops nothing', async () => {
      const runner = new FakeJobRunner();
      runner.going('cdc-continuous-customer', 'old', 'RUNNING', { schemas: 'customer:1' });
      await expect(
        superviseStreams([['customer']], runner, settings, log, now, {
          latestVersion: async () => {
            throw new Error('Glue unavailable');
          },
        }),
      ).rejects.toThrow('Glue unavailable');
      expect(runner.cancelled).toEqual([]);
    });
  });

  it('reports each stream: StreamRunning 1 only while RUNNING, StreamsStarted for each it started', () => {
    const points = streamMetrics('dev', [
      { name: 'cdc-continuous-customer', started: false, state: 'RUNNING' },
      { name: 'cdc-continuous-invoice', started: false, state: 'PENDING' },
      { name: 'cdc-continuous-payment', started: true, state: 'SUBMITTED' },
    ]);
    expect(points.map((p) => [p.metric.name, p.value, p.dimensions.job])).toEqual([
      ['StreamRunning', 1, 'cdc-continuous-customer'],
      ['StreamRunning', 0, 'cdc-continuous-invoice'],
      ['StreamRunning', 0, 'cdc-continuous-payment'],
      ['StreamsStarted', 1, 'cdc-continuous-payment'],
    ]);
  });
});

describe("the job launcher's lake settings", () => {
  const env = {
    ...COMMON_ENV,
    CDC_EMR_APPLICATION_ID: 'app',
    CDC_EMR_EXECUTION_ROLE_ARN: 'arn:aws:iam::1:role/r',
    CDC_LAKE_BUCKET: 'lake',
    CDC_ARTIFACTS_BUCKET: 'art',
    CDC_JOB_GROUPING: 'entity',
    CDC_JOB_LAUNCH_RATE: 'rate(1 hour)',
    CDC_LAKE_MODE: 'both',
    CDC_STREAM_TRIGGER_SECONDS: '30',
    CDC_TIME_TRAVEL_HOURS: '168',
    CDC_CATALOG_DATABASE: 'cdc_pipeline_dev',
  };

  it('reads the lake mode and trigger interval, and fails at cold start on bad ones, naming the setting', () => {
    expect(loadJobLauncherConfig(env)).toMatchObject({
      lakeMode: 'both',
      streamTriggerSeconds: 30,
      timeTravelHours: 168,
      catalogDatabase: 'cdc_pipeline_dev',
    });
    expect(() => loadJobLauncherConfig({ ...env, CDC_LAKE_MODE: 'lambda' })).toThrow(
      /CDC_LAKE_MODE.*must be "batch", "streaming" or "both", got "lambda"/,
    );
    expect(() => loadJobLauncherConfig({ ...env, CDC_STREAM_TRIGGER_SECONDS: '0' })).toThrow(
      /CDC_STREAM_TRIGGER_SECONDS.*from 1 to 3600/,
    );
    expect(() => loadJobLauncherConfig({ ...env, CDC_TIME_TRAVEL_HOURS: 'a week' })).toThrow(/CDC_TIME_TRAVEL_HOURS/);
  });
});
