/**
 * Which runs the local EMR stand-in hands to its warm driver (local/emr/warm-driver.ts). The
 * driver itself (local/python/warm_driver.py) is tested in glue-jobs/tests, and runs the Spark
 * end-to-end file's job runs; here its side of the spool is played by the test.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PID_DIR } from '../../../local/stack/paths';
import {
  type DriverPlace,
  driverSignature,
  runOnWarmDriver,
  type SparkSubmit,
  type WarmRun,
  warmDriverEnabled,
} from '../../../local/emr/warm-driver';

const submit: SparkSubmit = {
  command: ['spark-submit', '--master', 'local[2]', '--py-files', '/runs/a/cdc_jobs.zip', '--conf', 'spark.jars=x.jar'],
  env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', CDC_SPARK_JARS: 'x.jar' },
};
const run = (jobRunId: string): WarmRun => ({
  jobRunId,
  entryPoint: `/runs/${jobRunId}/entrypoint.py`,
  pyFiles: [`/runs/${jobRunId}/cdc_jobs.zip`],
  arguments: ['--mode', 'batch'],
  log: `/runs/${jobRunId}/spark.log`,
  runFile: `/runs/${jobRunId}/run.json`,
});

let place: DriverPlace;
const spool = (name: string): string => path.join(place.spool, name);
const pidFile = (): string => path.join(PID_DIR, `${place.process}.json`);

/** A driver "running" as this very process (alive, so the stack's PID check passes), with a signature. */
function runningDriver(signature = driverSignature(submit)): void {
  mkdirSync(PID_DIR, { recursive: true });
  writeFileSync(pidFile(), JSON.stringify({ pid: process.pid, command: 'test', startedAt: new Date().toISOString() }));
  writeFileSync(spool('driver.json'), JSON.stringify({ pid: process.pid, signature }));
}

beforeEach(() => {
  place = { process: `emr-driver-unit-${process.pid}`, spool: mkdtempSync(path.join(os.tmpdir(), 'warm-driver-')) };
});

afterEach(() => {
  rmSync(pidFile(), { force: true });
  rmSync(place.spool, { recursive: true, force: true });
});

describe('the local EMR stand-in hands a run to its warm driver only when that driver can take it', () => {
  it('an idle driver with the same settings is claimed: the request is written, `ready` becomes claimed-<id>, the PID recorded first', () => {
    runningDriver();
    writeFileSync(spool('ready'), String(process.pid));
    const recorded: number[] = [];
    expect(runOnWarmDriver(run('r1'), submit, (pid) => recorded.push(pid), place)).toBe(true);
    expect(recorded).toEqual([process.pid]);
    expect(existsSync(spool('ready'))).toBe(false);
    expect(existsSync(spool('claimed-r1'))).toBe(true);
    expect(JSON.parse(readFileSync(spool('request-r1.json'), 'utf8'))).toEqual(run('r1'));
  });

  it('a busy driver (no `ready`) is not claimed, and the run’s request is taken back: the caller runs it cold', () => {
    runningDriver();
    writeFileSync(spool('ready'), String(process.pid));
    expect(runOnWarmDriver(run('r1'), submit, () => undefined, place)).toBe(true);
    expect(runOnWarmDriver(run('r2'), submit, () => undefined, place)).toBe(false);
    expect(existsSync(spool('request-r2.json'))).toBe(false);
    expect(existsSync(spool('claimed-r1'))).toBe(true);
  });

  it('a driver started with other Spark settings or another endpoint is not used', () => {
    runningDriver();
    writeFileSync(spool('ready'), String(process.pid));
    const otherJars = { ...submit, command: submit.command.map((a) => a.replace('x.jar', 'y.jar')) };
    const otherEndpoint = { ...submit, env: { ...submit.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:5001' } };
    expect(runOnWarmDriver(run('r1'), otherJars, () => undefined, place)).toBe(false);
    expect(runOnWarmDriver(run('r1'), otherEndpoint, () => undefined, place)).toBe(false);
    expect(existsSync(spool('ready'))).toBe(true);
  });

  it('while another launcher starts the driver (its lock is fresh), a run goes cold instead of starting a second one', () => {
    writeFileSync(spool('start.lock'), '');
    expect(runOnWarmDriver(run('r1'), submit, () => undefined, place)).toBe(false);
    expect(existsSync(spool('request-r1.json'))).toBe(false);
  });

  it('CDC_LOCAL_SPARK_DRIVER=cold sends every run cold; any other value than warm or cold is refused by name', () => {
    runningDriver();
    writeFileSync(spool('ready'), String(process.pid));
    const cold = { ...submit, env: { ...submit.env, CDC_LOCAL_SPARK_DRIVER: 'cold' } };
    expect(runOnWarmDriver(run('r1'), cold, () => undefined, place)).toBe(false);
    expect(existsSync(spool('ready'))).toBe(true);
    expect(warmDriverEnabled({})).toBe(true);
    expect(() => warmDriverEnabled({ CDC_LOCAL_SPARK_DRIVER: 'hot' })).toThrow(
      'CDC_LOCAL_SPARK_DRIVER must be warm or cold, not "hot"',
    );
  });

  it('the signature ignores the per-run py-files and nothing else', () => {
    const otherRun = { ...submit, command: submit.command.map((a) => a.replace('/runs/a/', '/runs/b/')) };
    expect(driverSignature(otherRun)).toBe(driverSignature(submit));
    expect(driverSignature({ ...submit, command: [...submit.command, '--conf', 'spark.x=1'] })).not.toBe(
      driverSignature(submit),
    );
  });
});
