/**
 * The poller as deployed with checkpointStore postgres: its real handler, through the local
 * runtime, reads the database's credentials from the secret on moto, keeps its checkpoint and
 * lease in a table of the local PostgreSQL (created on first use), and `npm run status` reads it
 * there. A private pipeline copy: its own topics and a checkpoint table of its own.
 */
import { randomUUID } from 'node:crypto';
import { parseCheckpointStore } from '../../lib/config';
import type { PollSummary } from '../../lib/poller';
import { consumeTopic } from '../../local/demo/pipeline';
import { type Runtime, startRuntime } from '../../local/runtime';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { collectStatus, type OpsStage, resolveStage } from '../../ops';
import { type IsolatedPipeline, isolatedPipeline } from '../helpers/isolated-pipeline';
import { localConfig, localPostgresPool } from '../helpers/local-stack';

const TABLE = `it_handler_checkpoints_${randomUUID().slice(0, 8)}`;
const pool = localPostgresPool();
let sim: RunningSimulator;
let p: IsolatedPipeline;
let stage: OpsStage;
const lines: string[] = [];

beforeAll(async () => {
  sim = await startSimulatorServer({ seed: 17, faults: { tieRate: 0.3 } });
  p = await isolatedPipeline({
    functions: ['poller'],
    sourceUrl: sim.url,
    env: { CDC_CHECKPOINT_STORE: 'postgres', CDC_CHECKPOINT_TABLE: TABLE, CDC_POLL_PAGE_LIMIT: '25' },
  });
  const poller = p.definitions.find((d) => d.name === 'poller')!;
  stage = {
    ...(await resolveStage('local', { config: await localConfig() })),
    topicPrefix: p.prefix,
    fallbackTable: p.fallbackTable,
    rawBucket: p.rawBucket,
    archiveBucket: p.rawBucket,
    checkpointStore: parseCheckpointStore(poller.environment as Record<string, string>, 'local'),
  };
});

afterAll(async () => {
  await sim?.close();
  await p?.close();
  await pool.query(`DROP TABLE IF EXISTS "${TABLE}"`);
  await pool.end();
});

async function withRuntime<T>(env: Record<string, string>, use: (rt: Runtime) => Promise<T>): Promise<T> {
  const definitions = p.definitions.map((d) => ({ ...d, environment: { ...d.environment, ...env } }));
  const rt = await startRuntime(await localConfig(), definitions, { log: (line) => lines.push(line) });
  try {
    return await use(rt);
  } finally {
    await rt.stop();
  }
}

describe('the poller handler with checkpointStore postgres', () => {
  it('keeps its checkpoint in PostgreSQL: the next run reads it back and publishes nothing twice, and status shows it there', async () => {
    sim.simulator.generate(80, ['customer']);
    const records = sim.simulator.state(['customer']).entities.customer!.records;
    const [first, second] = await withRuntime({}, async (rt) => [
      (await rt.fire('poller', { entity: 'customer' })) as PollSummary,
      (await rt.fire('poller', { entity: 'customer' })) as PollSummary,
    ]);
    expect(first).toMatchObject({ stoppedBecause: 'done', published: records.length, parked: {} });
    expect(second).toMatchObject({ stoppedBecause: 'done', published: 0 });
    expect(second.checkpointBefore).toEqual(first.checkpointAfter);

    const { rows } = await pool.query(`SELECT entity, updated_at, version, lease_owner FROM "${TABLE}"`);
    expect(rows).toEqual([
      {
        entity: 'customer',
        updated_at: first.checkpointAfter.updatedAt,
        version: expect.stringMatching(/^[1-9]\d*$/),
        lease_owner: null,
      },
    ]);
    const { messages } = await consumeTopic(p.topic('customer'), p.registry);
    expect(messages).toHaveLength(records.length);
    // Each run's metrics, as Embedded Metric Format lines in the function's output.
    const emf = lines
      .map((l) => /\{"_aws".*\}$/.exec(l)?.[0])
      .filter((l): l is string => l !== undefined)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((m) => m.entity === 'customer' && 'PollerEventsPublished' in m);
    expect(emf.map((m) => [m.PollerEventsPublished, m.PollerDuplicatesDropped, m.PollerLateChanges, m.stage])).toEqual([
      [first.published, first.duplicates, first.lateChanges, 'local'],
      [0, second.duplicates, second.lateChanges, 'local'],
    ]);

    const status = await collectStatus(stage);
    expect(status.checkpointStore).toEqual({
      kind: 'postgres',
      table: TABLE,
      database: expect.stringMatching(/^127\.0\.0\.1:\d+\/cdc$/),
    });
    expect(status.entities.find((e) => e.entity === 'customer')?.checkpoint).toMatchObject({
      updatedAt: first.checkpointAfter.updatedAt,
      version: Number(rows[0]!.version),
    });
    expect(status.entities.find((e) => e.entity === 'invoice')?.checkpoint).toBeNull();
  });

  it('with a secret that does not exist, fails the run before reading the source, naming CDC_RDS_SECRET_ARN; nothing is published or moved', async () => {
    sim.simulator.generate(10, ['payment']);
    await withRuntime({ CDC_RDS_SECRET_ARN: 'cdc-pipeline-local-no-such-secret' }, async (rt) => {
      await expect(rt.fire('poller', { entity: 'payment' })).rejects.toThrow(
        /reading the secret cdc-pipeline-local-no-such-secret failed: .*\(CDC_RDS_SECRET_ARN/,
      );
    });
    const { messages } = await consumeTopic(p.topic('payment'), p.registry);
    expect(messages).toEqual([]);
    const { rows } = await pool.query(`SELECT entity FROM "${TABLE}" WHERE entity = 'payment'`);
    expect(rows).toEqual([]);
  });
});
