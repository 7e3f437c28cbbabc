/**
 * What the stack-backed benchmarks share: stage local's resolved configuration, SDK clients for
 * moto, and scratch resources (tables, topics, buckets, Glue schemas) named with one random
 * suffix and removed at the end, so a benchmark never reads or writes the pipeline's own data
 * while someone else uses the same stack.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteSchemaCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { GlueSchemaRegistry, registerSchema, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { localClientConfig, localKafkaBrokers } from '../../stage/local-aws';
import { provisionLocalResources } from '../provision';
import { type FunctionDefinition, functionDefinitions } from '../runtime/definitions';
import { cloneTable, dropTable } from '../scratch-tables';
import { loadResolvedConfig, type ResolvedConfig, type ResourceNames, stageParam } from '../../stage/resolved-config';
import { startService, stackUp } from '../stack';
import { runningProcess } from '../stack/processes';
import { SERVICES, type ServiceName } from '../stack/services';
import { createTopicsReady } from '../provision/kafka-topics';

const STAGE = 'local';
/** How long a stopped service may take to come back before the benchmark starts it itself. */
const WAIT_FOR_STOPPED_MS = 60_000;

export class BenchStack {
  readonly suffix = randomUUID().slice(0, 8);
  readonly dynamodb = new DynamoDBClient(localClientConfig());
  readonly s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  readonly glue = new GlueClient(localClientConfig());
  readonly brokers = localKafkaBrokers();
  private readonly cleanups: (() => Promise<unknown>)[] = [];

  private constructor(readonly config: ResolvedConfig) {}

  /** Makes sure the local stack runs (without disturbing one that does), then reads serverless.yml for stage local. */
  static async open(): Promise<BenchStack> {
    await ensureStackRunning();
    return new BenchStack(await loadResolvedConfig(STAGE));
  }

  get names(): ResourceNames {
    return this.config.custom.names;
  }

  param(name: string): unknown {
    return stageParam(this.config, STAGE, name);
  }

  /** A function's environment on stage local, as the local runtime gives it, with `overrides` on top. */
  environmentOf(functionName: string, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
    const definition = functionDefinitions(this.config).find((d) => d.name === functionName);
    if (definition === undefined) throw new Error(`serverless.yml has no function "${functionName}"`);
    return { ...stringEnvironment(definition), ...overrides };
  }

  /** An empty copy of a provisioned table (same keys, indexes and stream). */
  async scratchTable(source: string, role: string): Promise<string> {
    const name = `${source}-bench-${role}-${this.suffix}`;
    this.cleanups.push(() => dropTable(this.dynamodb, name));
    return cloneTable(this.dynamodb, source, name);
  }

  async scratchTopic(topic: string): Promise<string> {
    const admin = this.admin();
    await admin.connect();
    try {
      this.cleanups.push(() => this.deleteTopic(topic));
      await createTopicsReady(admin, [{ topic, numPartitions: Number(this.param('topicPartitions')) }]);
      return topic;
    } finally {
      await admin.disconnect();
    }
  }

  async scratchBucket(role: string): Promise<string> {
    const bucket = `${this.names.rawBucket}-bench-${role}-${this.suffix}`;
    await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    this.cleanups.push(() => this.deleteBucket(bucket));
    return bucket;
  }

  /** A Glue schema of this name in the stack's registry: the retry function finds an entity's schema by its topic's name. */
  async scratchSchema(schemaName: string, definition: string): Promise<void> {
    this.cleanups.push(() =>
      this.glue.send(
        new DeleteSchemaCommand({ SchemaId: { RegistryName: this.names.schemaRegistry, SchemaName: schemaName } }),
      ),
    );
    await registerSchema(new GlueSchemaRegistry(this.glue, this.names.schemaRegistry), {
      schemaName,
      definition,
      compatibility: 'BACKWARD',
    });
  }

  /** A serde on the stack's Glue registry, with the cache settings the handlers use. */
  glueSerde(): GlueAvroSerde {
    return new GlueAvroSerde(
      new SchemaCache(new GlueSchemaRegistry(this.glue, this.names.schemaRegistry), {
        latestTtlMs: 5 * 60_000,
        maxEntries: 200,
      }),
    );
  }

  /** Removes every scratch resource, newest first; a failure to remove one does not keep the others. */
  async close(): Promise<void> {
    for (const cleanup of this.cleanups.reverse())
      await cleanup().catch((error: Error) => console.warn(`bench: cleanup failed: ${error.message}`));
    this.dynamodb.destroy();
    this.s3.destroy();
    this.glue.destroy();
  }

  private admin(): ReturnType<Kafka['admin']> {
    return new Kafka({ clientId: 'cdc-bench', brokers: this.brokers, logLevel: logLevel.NOTHING }).admin();
  }

  private async deleteTopic(topic: string): Promise<void> {
    const admin = this.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  }

  private async deleteBucket(bucket: string): Promise<void> {
    for (
      let listed = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      (listed.Contents ?? []).length > 0;
      listed = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket }))
    ) {
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: (listed.Contents ?? []).map((o) => ({ Key: o.Key })) },
        }),
      );
    }
    await this.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  }
}

/**
 * Starts the whole stack only when none of it runs, judged by the recorded PIDs alone: `stack:up`
 * restarts a service that is slow to answer its health check, and a restarted moto loses every
 * table of whoever else uses the stack (a busy moto can be slow). A benchmark never restarts a
 * shared service. A stopped one is waited for first (someone may be restarting Kafka), then started.
 */
async function ensureStackRunning(): Promise<void> {
  const stopped = (): ServiceName[] => SERVICES.filter((s) => runningProcess(s.name) === undefined).map((s) => s.name);
  if (stopped().length === SERVICES.length) {
    console.log('\nthe local stack is not running; starting it (npm run stack:up)…');
    await stackUp();
    return;
  }
  const deadline = Date.now() + WAIT_FOR_STOPPED_MS;
  while (stopped().length > 0 && Date.now() < deadline) {
    console.log(`\nwaiting for ${stopped().join(', ')} to come back…`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  const missing = stopped();
  for (const name of missing) await startService(name, (line) => console.log(line));
  // A moto started afresh holds nothing: provision stage local again (idempotent).
  if (missing.includes('moto')) await provisionLocalResources(() => undefined);
}

/** The local runtime's rule: CloudFormation values left in an environment are an error, everything else a string. */
function stringEnvironment(definition: FunctionDefinition): Record<string, string> {
  return Object.fromEntries(
    Object.entries(definition.environment).map(([name, value]) => {
      if (typeof value === 'object')
        throw new Error(
          `${definition.name}: environment ${name} is a CloudFormation value on stage local: ${JSON.stringify(value)}`,
        );
      return [name, String(value)];
    }),
  );
}
