/**
 * What the demo reads from the stack to judge the run: the source's state, checkpoints, the
 * fallback table, the stale archive, topic end offsets and the alerts the retry function sent.
 */
import { gunzipSync } from 'node:zlib';
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { localKafka } from '../kafka-client';
import { topicEnds } from './pipeline';
import type { SourceRecord } from './reconcile';

export interface SourceEntityState {
  readonly records: SourceRecord[];
  readonly brokenChanges: SourceRecord[];
  readonly malformedServed: unknown[];
  readonly counts: Record<string, number>;
}

export async function sourceState(sourceUrl: string, entity: string): Promise<SourceEntityState> {
  const response = await fetch(`${sourceUrl}/admin/state?entity=${encodeURIComponent(entity)}`);
  if (!response.ok)
    throw new Error(`GET ${sourceUrl}/admin/state answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { entities: Record<string, SourceEntityState> };
  const state = body.entities[entity];
  if (!state) throw new Error(`the source has no entity "${entity}"`);
  return state;
}

/** POSTs a JSON body; returns the JSON answer (undefined when it is not JSON). */
export async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Sets the source's faults (a patch, as `POST /admin/faults` takes) and returns how to put back
 * the ones in force before: on a running stack, the tests and runs after this one share the source.
 */
export async function setSourceFaults(sourceUrl: string, patch: Record<string, unknown>): Promise<() => Promise<void>> {
  const response = await fetch(`${sourceUrl}/admin/faults`);
  if (!response.ok)
    throw new Error(`GET ${sourceUrl}/admin/faults answered ${response.status}: ${await response.text()}`);
  const before = (await response.json()) as Record<string, unknown>;
  await postJson(`${sourceUrl}/admin/faults`, patch);
  return async () => {
    await postJson(`${sourceUrl}/admin/faults`, before);
  };
}

/** What the fallback table and the archive say about a parked change. */
export interface ParkedChange {
  readonly entity: string;
  readonly id: string;
  readonly updatedAt: string;
  readonly status: string;
  readonly reason: string;
}

export async function fallbackItems(dynamodb: DynamoDBClient, table: string): Promise<ParkedChange[]> {
  const items: ParkedChange[] = [];
  const pages = paginateScan(
    { client: dynamodb },
    {
      TableName: table,
      ProjectionExpression: 'entity, id, updatedAt, #s, reason',
      ExpressionAttributeNames: { '#s': 'status' },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) items.push(unmarshall(item) as ParkedChange);
  return items;
}

/** Every change archived under `stale/` (one JSON line each), optionally only objects written since a time. */
export async function archivedChanges(s3: S3Client, bucket: string, since?: Date): Promise<ParkedChange[]> {
  const changes: ParkedChange[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: 'stale/' })) {
    for (const object of page.Contents ?? []) {
      if (since && object.LastModified && object.LastModified < since) continue;
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))
      ).Body!.transformToString();
      for (const line of body.split('\n').filter(Boolean)) changes.push(JSON.parse(line) as ParkedChange);
    }
  }
  return changes;
}

/** The keys under a prefix of a bucket. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix }))
    for (const object of page.Contents ?? []) keys.push(object.Key!);
  return keys;
}

/** Every row the raw bucket holds for an entity, and how many objects hold them. */
export async function rawRows(
  s3: S3Client,
  bucket: string,
  entity: string,
): Promise<{ objects: number; rows: Record<string, unknown>[] }> {
  const rows: Record<string, unknown>[] = [];
  let objects = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: `raw/entity=${entity}/` })) {
    for (const object of page.Contents ?? []) {
      const body = Buffer.from(
        await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))).Body!.transformToByteArray(),
      );
      const text = object.Key!.endsWith('.gz') ? gunzipSync(body).toString('utf8') : body.toString('utf8');
      objects += 1;
      for (const line of text.split('\n').filter(Boolean)) rows.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  return { objects, rows };
}

/** What the raw bucket holds for an entity: objects, and rows in them (distinct `_event_id`s and all). */
export async function rawContents(
  s3: S3Client,
  bucket: string,
  entity: string,
): Promise<{ objects: number; rows: number; eventIds: number }> {
  const { objects, rows } = await rawRows(s3, bucket, entity);
  return { objects, rows: rows.length, eventIds: new Set(rows.map((r) => String(r._event_id))).size };
}

/** Each topic's end offset per partition, retried while the broker is coming back. */
export async function partitionEndOffsets(topics: readonly string[]): Promise<Map<string, Map<number, number>>> {
  const kafka = localKafka('cdc-demo');
  const ends = new Map<string, Map<number, number>>();
  for (const topic of topics)
    ends.set(topic, new Map((await topicEnds(kafka, topic)).map((p) => [p.partition, Number(p.high)])));
  return ends;
}

/** The sum of each topic's end offsets (messages ever written). */
export async function topicEndOffsets(topics: readonly string[]): Promise<Map<string, number>> {
  return totalsOf(await partitionEndOffsets(topics));
}

/** Per topic, the sum of its partitions' end offsets. */
export function totalsOf(ends: ReadonlyMap<string, ReadonlyMap<number, number>>): Map<string, number> {
  return new Map(
    [...ends].map(([topic, partitions]) => [topic, [...partitions.values()].reduce((n, high) => n + high, 0)]),
  );
}

/** Reads and removes every alert in the local observer queue (subscribed to the alert topic by provisioning). */
export async function takeAlerts(sqs: SQSClient, queueName: string): Promise<string[]> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const subjects: string[] = [];
  for (;;) {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if ((page.Messages ?? []).length === 0) return subjects;
    for (const message of page.Messages ?? []) {
      subjects.push(String(message.Body));
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle! }));
    }
  }
}
