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
