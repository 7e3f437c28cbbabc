/**
 * `npm run parked` and `npm run dead-letters` against moto: items parked by the real DynamoDB
 * fallback adapter and dead letters written by the consumer's own core, in a private copy of the
 * fallback table and a private raw bucket, read back by the commands through the stage's clients.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlueClient } from '@aws-sdk/client-glue';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import { consumeBatch, S3RawStore } from '../../lib/consumer';
import { DynamoDbFallbackStore, MAX_INLINE_PAYLOAD_BYTES, type ParkedEvent } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { GlueSchemaRegistry, SchemaCache } from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { cloneTable, dropTable } from '../../local/scratch-tables';
import { deadLettersCommand } from '../../ops/cli/dead-letters';
import { parkedCommand } from '../../ops/cli/parked';
import { runCommand } from '../../ops/cli/run-command';
import { DynamoDbParkedItems, openParkedReading, type ParkedReading } from '../../ops/parked';
import { type OpsStage, openStage, resolveStage } from '../../ops';
import { localClientConfig, localConfig } from '../helpers/local-stack';

const dynamodb = new DynamoDBClient(localClientConfig());
const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
const suffix = randomUUID().slice(0, 8);
let stage: OpsStage;
let fallback: DynamoDbFallbackStore;

beforeAll(async () => {
  const config = await localConfig();
  const local = await resolveStage('local', { config });
  const table = await cloneTable(dynamodb, local.fallbackTable, `${local.fallbackTable}-parked-${suffix}`, {
    stream: false,
  });
  const bucket = `${local.rawBucket}-parked-${suffix}`.toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  stage = { ...local, fallbackTable: table, rawBucket: bucket, archiveBucket: bucket };
  fallback = new DynamoDbFallbackStore(dynamodb, s3, { tableName: table, payloadBucket: bucket });
});

afterAll(async () => {
  if (stage !== undefined) {
    await dropTable(dynamodb, stage.fallbackTable);
    const keys = (await listAll(stage.rawBucket)).map((Key) => ({ Key }));
    if (keys.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: stage.rawBucket, Delete: { Objects: keys } }));
    await s3.send(new DeleteBucketCommand({ Bucket: stage.rawBucket })).catch(() => undefined);
  }
  dynamodb.destroy();
  s3.destroy();
});

/** The private bucket's objects (a few dead letters and one oversized payload: one page). */
async function listAll(bucket: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key!);
}

function parkedEvent(entity: string, id: string, n: number, overrides: Partial<ParkedEvent> = {}): ParkedEvent {
  const updatedAt = new Date(Date.UTC(2026, 10, 25, 0, 0, n)).toISOString();
  return {
    entity,
    id,
    updatedAt,
    eventId: randomUUID().replace(/-/g, ''),
    payload: { id, op: 'UPSERT', updatedAt, data: { id, email: `${id}@example.com` } },
    status: 'RETRIABLE',
    reason: 'KAFKA_UNAVAILABLE',
    error: 'broker down',
    attempts: 2,
    firstSeenAt: updatedAt,
    nextAttemptAt: new Date(Date.UTC(2026, 10, 26, 0, 0, n)).toISOString(),
    ...overrides,
  };
}

/** The DynamoDB commands the commands sent: the proof that they only query and get. */
const sent: string[] = [];

function observedReading(s: OpsStage): ParkedReading {
  const reading = openParkedReading(s);
  const client = new DynamoDBClient(localClientConfig());
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  return {
    items: new DynamoDbParkedItems(client, s3, s.fallbackTable),
    deadLetters: reading.deadLetters,
    close: () => {
      reading.close();
      client.destroy();
    },
  };
}

async function run(command: typeof parkedCommand, argv: string[]) {
  const out: string[] = [];
  const io = {
    out: (t: string) => void out.push(t),
    err: (t: string) => void out.push(t),
    interactive: false,
    ask: async () => '',
  };
  const code = await runCommand(
    (a, i) => command(a, i, () => openStage(stage), observedReading),
    ['--stage', 'local', ...argv],
    io,
  );
  return { code, out: out.join('\n') };
}

const parked = (...argv: string[]) => run(parkedCommand, argv);
const show = (entity: string, id: string, ...argv: string[]) =>
  run((a, io, open, reading) => parkedCommand(['show', entity, id, ...a], io, open, reading), argv);
const idsOf = async (...argv: string[]): Promise<string[]> => {
  const { code, out } = await parked('--json', ...argv);
  expect(code).toBe(0);
  return (JSON.parse(out) as { rows: { id: string }[] }).rows.map((r) => r.id).sort();
};

describe('npm run parked (moto)', () => {
  beforeAll(async () => {
    await fallback.park([
      parkedEvent('customer', 'c-bad', 1, {
        status: 'AMBIGUOUS',
        reason: 'SCHEMA_VALIDATION',
        error: 'record does not match schema customer: data.email: expected string, got 12',
        violations: [
          { path: 'data.email', expected: 'string', received: '12' },
          { path: 'data.address.zip', expected: 'string', received: 'null' },
        ],
      }),
      parkedEvent('customer', 'c-1', 2),
      parkedEvent('customer', 'c-1', 3, { reason: 'PARKED_BEHIND_KEY' }),
      ...[4, 5, 6, 7].map((n) => parkedEvent('invoice', `i-${n}`, n)),
      parkedEvent('invoice', 'i-big', 8, { payload: { blob: 'x'.repeat(MAX_INLINE_PAYLOAD_BYTES + 10) } }),
    ]);
  });

  it('lists every item through the indexes with its key, status, reason, attempts, next attempt and failing fields', async () => {
    sent.length = 0;
    const { code, out } = await parked();
    expect(code).toBe(0);
    expect(out).toContain(`Parked items in DynamoDB table ${stage.fallbackTable}: 8 shown.`);
    expect(out).toMatch(
      /customer\s+c-bad\s+AMBIGUOUS\s+SCHEMA_VALIDATION\s+2\s+2026-11-26T00:00:01.000Z\s+data\.email, data\.address\.zip\s/,
    );
    expect(out).not.toContain('@example.com');
    expect(new Set(sent)).toEqual(new Set(['QueryCommand']));
  });

  it('narrows by entity (the keys-only index, then the items by key), status and reason', async () => {
    sent.length = 0;
    expect(await idsOf('--entity', 'customer')).toEqual(['c-1', 'c-1', 'c-bad']);
    expect(await idsOf('--entity', 'customer', '--reason', 'PARKED_BEHIND_KEY')).toEqual(['c-1']);
    expect(await idsOf('--status', 'AMBIGUOUS')).toEqual(['c-bad']);
    expect(await idsOf('--reason', 'SCHEMA_VALIDATION')).toEqual(['c-bad']);
    expect(await idsOf('--entity', 'invoice', '--status', 'AMBIGUOUS')).toEqual([]);
    expect(await idsOf('--entity', 'payment')).toEqual([]);
    expect(new Set(sent)).toEqual(new Set(['QueryCommand', 'BatchGetItemCommand']));
  });

  it('stops at --limit and says that more exist, by status and by entity', async () => {
    const byStatus = await parked('--limit', '3');
    expect(byStatus.out).toContain('3 shown, more exist.');
    expect(byStatus.out).toContain('More match than the 3 shown');
    const byEntity = await parked('--entity', 'invoice', '--limit', '4');
    expect(byEntity.out).toContain('4 shown, more exist.');
    const exact = await parked('--entity', 'invoice', '--limit', '5');
    expect(exact.out).toContain('5 shown.');
    expect(exact.out).not.toContain('More match');
  });

  it('refuses an unknown --status or --reason before reading anything', async () => {
    sent.length = 0;
    const status = await parked('--status', 'PARKED');
    expect(status.code).toBe(2);
    expect(status.out).toContain('--status: "PARKED" is not a status; the statuses are RETRIABLE, AMBIGUOUS');
    const reason = await parked('--reason', 'OOPS');
    expect(reason.code).toBe(2);
    expect(reason.out).toContain('--reason: "OOPS" is not a reason; the reasons are KAFKA_UNAVAILABLE');
    expect(sent).toEqual([]);
  });

  it("shows one key's items in full, oldest first, the payload redacted unless --payload", async () => {
    sent.length = 0;
    const redacted = await show('customer', 'c-1');
    expect(redacted.code).toBe(0);
    expect(redacted.out).toContain('customer c-1: 2 parked item(s)');
    expect(redacted.out.indexOf('KAFKA_UNAVAILABLE')).toBeLessThan(redacted.out.indexOf('PARKED_BEHIND_KEY'));
    expect(redacted.out).toMatch(/<redacted: \d+ bytes>/);
    expect(redacted.out).not.toContain('c-1@example.com');
    expect(sent).toEqual(['QueryCommand']);

    const revealed = await show('customer', 'c-1', '--payload');
    expect(revealed.out).toContain('"email": "c-1@example.com"');
  });

  it('shows the failing fields of an invalid event, and an oversized payload by its S3 object', async () => {
    expect((await show('customer', 'c-bad')).out).toContain('data.address.zip: expected string, got null');
    const big = await show('invoice', 'i-big');
    expect(big.out).toMatch(new RegExp(`<redacted: in s3://${stage.rawBucket}/oversized/invoice/[0-9a-f]{32}\\.json>`));
    const json = JSON.parse((await show('invoice', 'i-big', '--payload', '--json')).out);
    expect(json.items[0].payload.blob).toHaveLength(MAX_INLINE_PAYLOAD_BYTES + 10);
  });
});

describe('npm run dead-letters (moto)', () => {
  beforeAll(async () => {
    // Bytes that are not a Glue frame: the consumer's own core dead-letters them (no Glue call needed).
    const serde = new GlueAvroSerde(
      new SchemaCache(new GlueSchemaRegistry(new GlueClient(localClientConfig()), stage.schemaRegistry), {
        latestTtlMs: 0,
        maxEntries: 1,
      }),
    );
    const topic = `${stage.topicPrefix}.payment`;
    const event: MSKEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:local',
      bootstrapServers: '',
      records: {
        [`${topic}-1`]: [10, 11, 12].map((offset) => ({
          topic,
          partition: 1,
          offset,
          timestamp: Date.UTC(2026, 10, 25),
          timestampType: 'CREATE_TIME' as const,
          key: Buffer.from(`p-${offset}`).toString('base64'),
          value: Buffer.from('not avro at all').toString('base64'),
          headers: [],
        })),
      },
    };
    const summary = await consumeBatch(
      event,
      { serde, raw: new S3RawStore(s3, stage.rawBucket), fallback, marks: null, log: createLogger({ test: 'parked' }) },
      { entityOf: (t) => (t === topic ? 'payment' : undefined), gzip: false, decodeAttempts: 1 },
    );
    expect(summary.deadLettered).toBe(3);
  });

  it("lists the consumer's dead letters with their record, key, reason and size, never their bytes", async () => {
    const { code, out } = await run(deadLettersCommand, ['--entity', 'payment']);
    expect(code).toBe(0);
    expect(out).toContain(`Dead letters in s3://${stage.rawBucket}/dead-letter/entity=payment/: 3 shown.`);
    expect(out).toMatch(new RegExp(`payment\\s+${stage.topicPrefix}\\.payment\\[1\\]@10\\s+p-10\\s+UNDECODABLE\\s`));
    expect(out).not.toContain(Buffer.from('not avro at all').toString('base64'));
  });

  it('stops at --limit and says that more exist', async () => {
    const { out } = await run(deadLettersCommand, ['--limit', '2', '--json']);
    const listing = JSON.parse(out);
    expect(listing).toMatchObject({ limit: 2, more: true });
    expect(listing.rows.map((r: { offset: number }) => r.offset)).toEqual([10, 11]);
  });

  it('their items are listed as AMBIGUOUS UNDECODABLE in the fallback table', async () => {
    expect(await idsOf('--entity', 'payment', '--status', 'AMBIGUOUS', '--reason', 'UNDECODABLE')).toEqual([
      'p-10',
      'p-11',
      'p-12',
    ]);
  });
});
