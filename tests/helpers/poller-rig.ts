/**
 * The poller core on the real adapters for the poller's integration files: each rig owns copies
 * of the checkpoint and fallback tables, its own topic and its own simulator; `closeRigs` drops
 * them and the clients (call it from `afterAll`).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import {
  type CheckpointStore,
  DynamoDbCheckpointStore,
  type Position,
  PostgresCheckpointStore,
} from '../../lib/checkpoint';
import { DynamoDbFallbackStore, type FallbackStore } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { type PollSummary, pollEntity } from '../../lib/poller';
import { KafkaPublisher } from '../../lib/publish';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { DEFAULT_MAPPING, HttpSource } from '../../lib/source';
import { type RunningSimulator, startSimulatorServer } from '../../local/simulator';
import { cloneTable, dropTable, scanAll } from '../../local/scratch-tables';
import { withSave } from './checkpoints';
import { localClientConfig, localKafkaBrokers, localNames, localPostgresPool } from './local-stack';
import { createTopicsReady } from '../../local/provision/kafka-topics';

export const ENTITY = 'customer';
export const PAGE = 13;

const dynamodb = new DynamoDBClient(localClientConfig());
const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
const glue = new GlueClient(localClientConfig());
const kafka = new Kafka({ clientId: 'it-poller', brokers: localKafkaBrokers(), logLevel: logLevel.NOTHING });
/** The stack's PostgreSQL, opened by the first rig on it. */
let postgres: ReturnType<typeof localPostgresPool> | undefined;

/** The checkpoint adapters the poller's tests run on: the same tests, each store. */
export const CHECKPOINT_STORES = ['dynamodb', 'postgres'] as const;
export type StoreKind = (typeof CHECKPOINT_STORES)[number];

export interface Rig {
  readonly sim: RunningSimulator;
  readonly topic: string;
  readonly checkpoints: CheckpointStore;
  readonly fallbackTable: string;
  readonly registry: string;
  /** One poller run; the options put faults or hooks around the real checkpoint and fallback stores. */
  run(options?: {
    runId?: string;
    outOfTime?: () => boolean;
    lookbackMs?: number;
    backfill?: { from: string; to: string };
    checkpoints?: (c: CheckpointStore) => CheckpointStore;
    fallback?: (f: FallbackStore) => FallbackStore;
  }): Promise<PollSummary>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];

export async function rig(faults: Record<string, number> = {}, seed = 11, store: StoreKind = 'dynamodb'): Promise<Rig> {
  const names = await localNames();
  const suffix = randomUUID().slice(0, 8);
  const topic = `it.poller.${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReady(admin, [{ topic, numPartitions: 3 }]);
  await admin.disconnect();
  // PostgreSQL's table is created by the adapter on its first statement, as on AWS.
  const checkpointTable =
    store === 'postgres'
      ? `it_poller_checkpoints_${suffix}`
      : await cloneTable(dynamodb, names.checkpointTable, `${names.checkpointTable}-it-${suffix}`);
  const fallbackTable = await cloneTable(dynamodb, names.fallbackTable, `${names.fallbackTable}-it-${suffix}`);
  const sim = await startSimulatorServer({ seed, faults });
  postgres ??= store === 'postgres' ? localPostgresPool() : undefined;
  const checkpoints =
    store === 'postgres'
      ? new PostgresCheckpointStore(postgres!, checkpointTable)
      : new DynamoDbCheckpointStore(dynamodb, checkpointTable);
  const fallback = new DynamoDbFallbackStore(dynamodb, s3, {
    tableName: fallbackTable,
    payloadBucket: names.rawBucket,
  });
  const serde = new GlueAvroSerde(
    new SchemaCache(new GlueSchemaRegistry(glue, names.schemaRegistry), { latestTtlMs: 60_000, maxEntries: 10 }),
  );
  const source = new HttpSource({
    baseUrl: new URL(sim.url),
    mappingOf: () => DEFAULT_MAPPING,
    token: async () => undefined,
    pageLimit: PAGE,
    requestTimeoutMs: 2000,
    maxResponseBytes: 5_000_000,
    retry: { retries: 8, initialDelayMs: 5, maxDelayMs: 50 },
  });
  const publishers: KafkaPublisher[] = [];
  const made: Rig = {
    sim,
    topic,
    checkpoints,
    fallbackTable,
    registry: names.schemaRegistry,
    run: async (options = {}) => {
      const publisher = new KafkaPublisher({
        brokers: localKafkaBrokers(),
        clientId: 'it-poller',
        connectionTimeoutMs: 1000,
        retries: 1,
        cooldownMs: 1000,
      });
      publishers.push(publisher);
      return pollEntity(
        {
          source,
          checkpoints: options.checkpoints?.(checkpoints) ?? checkpoints,
          fallback: options.fallback?.(fallback) ?? fallback,
          publisher,
          serde,
          log: createLogger({}, () => undefined),
        },
        {
          entity: ENTITY,
          topic,
          schemaName: `cdc.${ENTITY}`,
          compression: 'none',
          runId: options.runId ?? randomUUID(),
          leaseMs: 60_000,
          limits: { maxPages: 10_000, maxConsecutiveEmptyPages: 5 },
          outOfTime: options.outOfTime ?? (() => false),
          lookbackMs: options.lookbackMs,
          backfill: options.backfill,
        },
      );
    },
    close: async () => {
      await Promise.all(publishers.map((p) => p.close()));
      await sim.close();
      if (store === 'postgres') await postgres!.query(`DROP TABLE IF EXISTS "${checkpointTable}"`);
      else await dropTable(dynamodb, checkpointTable);
      await dropTable(dynamodb, fallbackTable);
    },
  };
  rigs.push(made);
  return made;
}

/**
 * Watches the checkpoint: records every position saved, and runs `hooks[n]` right after the
 * n-th save (page n handed off), before the run goes on to hand off the next page.
 */
export function afterSave(
  saved: Position[],
  hooks: Record<number, () => Promise<void>> = {},
): (c: CheckpointStore) => CheckpointStore {
  return (inner) =>
    withSave(inner, async (entity, position, version, runId) => {
      const out = await inner.save(entity, position, version, runId);
      saved.push(position);
      await hooks[saved.length]?.();
      return out;
    });
}

export const current = (r: Rig) => r.sim.simulator.state([ENTITY]).entities[ENTITY]!;
export const identity = (x: object): string =>
  `${String((x as { id?: unknown }).id)}@${String((x as { updatedAt?: unknown }).updatedAt)}`;
export const parkedItems = async (r: Rig) =>
  (await scanAll(dynamodb, r.fallbackTable)) as {
    id: string;
    updatedAt: string;
    eventId: string;
    status: string;
    reason: string;
    error: string;
    violations?: { path: string }[];
  }[];

export async function closeRigs(): Promise<void> {
  await Promise.all(rigs.map((r) => r.close()));
  await postgres?.end();
  dynamodb.destroy();
  s3.destroy();
  glue.destroy();
}
