/**
 * `npm run status`'s health, through the local runtime: the poller's metrics (EMF lines, which
 * the runtime collects as stage local's CloudWatch) judged by the alarms' thresholds. A source
 * refusing the token makes its entity ALARM within two schedule periods; a quiet, healthy source
 * stays OK. A private pipeline copy and a metrics file of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startRuntime } from '../../local/runtime';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { collectStatus, formatStatus, type OpsStage, openStage, resolveStage } from '../../ops';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localConfig } from '../helpers/local-stack';

const TOKEN = `tok_${randomBytes(12).toString('hex')}`;
let sim: RunningSimulator;
let p: IsolatedPipeline;
let dir: string;
let stage: OpsStage;

beforeAll(async () => {
  sim = await startSimulatorServer({ seed: 3, token: TOKEN });
  p = await isolatedPipeline({ functions: ['poller'], sourceUrl: sim.url, env: { CDC_SOURCE_TOKEN: TOKEN } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'cdc-health-'));
  const local = await resolveStage('local', { config: await localConfig() });
  stage = {
    ...local,
    topicPrefix: p.prefix,
    checkpointStore: { kind: 'dynamodb', table: p.checkpointTable },
    fallbackTable: p.fallbackTable,
    rawBucket: p.rawBucket,
    archiveBucket: p.rawBucket,
    localMetricsFile: path.join(dir, 'emf.jsonl'),
  };
});

afterAll(async () => {
  await sim?.close();
  await p?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Two scheduled runs of an entity (two schedule periods), with the given token. */
async function twoRuns(entity: string, token: string): Promise<void> {
  const definitions = p.definitions.map((d) => ({ ...d, environment: { ...d.environment, CDC_SOURCE_TOKEN: token } }));
  const rt = await startRuntime(await localConfig(), definitions, {
    log: () => undefined,
    metricsFile: stage.localMetricsFile,
  });
  try {
    for (let i = 0; i < 2; i += 1) await rt.fire('poller', { entity }).catch(() => undefined);
  } finally {
    await rt.stop();
  }
}

describe('the health in npm run status', () => {
  it('is ALARM for an entity whose source answers 401, within two schedule periods, and OK for a quiet, healthy one', async () => {
    await twoRuns('customer', `${TOKEN}-wrong`);
    await twoRuns('invoice', TOKEN);
    const adapters = await openStage(stage);
    // Only this test's data: no Spark runs of other tests in the verdict.
    const status = await collectStatus(stage, { adapters: { ...adapters, jobs: { runsSince: async () => [] } } });
    await adapters.close();
    const health = Object.fromEntries(status.health.map((h) => [h.entity, h]));
    expect(health.customer).toMatchObject({ verdict: 'ALARM', lastHeartbeat: null });
    expect(health.customer!.findings).toEqual([
      'ALARM: 2 poller run(s) failed in the last 60 s',
      'ALARM: no successful poller run seen (alarm after 180 s)',
    ]);
    expect(health.invoice).toMatchObject({ verdict: 'OK', findings: [], deadLetters: 0 });
    expect(health.invoice!.lastHeartbeat).not.toBeNull();
    const text = formatStatus(status);
    expect(text).toMatch(/Health \(judged by the alarms' thresholds\):\nENTITY +VERDICT/);
    expect(text).toMatch(/\ncustomer +ALARM +none/);
    expect(text).toContain('customer: ALARM: 2 poller run(s) failed in the last 60 s');
  });
});
