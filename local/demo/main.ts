/**
 * `npm run demo`: brings the local stack up, generates source changes (with ties, schema-breaking
 * and malformed records), runs the real poller for each entity and the consumer on its MSK
 * triggers through the local runtime, and reconciles: every current source record is on Kafka
 * (decoded from Glue-framed Avro) or parked in the fallback table, and every published one is a
 * row in the raw bucket. The retry and Spark steps join as their issues land.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import type { PollSummary } from '../../lib/poller';
import { localClientConfig } from '../aws';
import { functionDefinitions, startRuntime } from '../runtime';
import { entityNames, loadResolvedConfig, stageParam } from '../serverless/resolved-config';
import { stackUp } from '../stack';
import { rawRows, readTopic } from './pipeline';

function parseEvents(argv: string[]): number {
  const i = argv.indexOf('--events');
  if (i < 0) return 300;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error('--events takes a whole number from 1 to 100000');
  return n;
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
}

/** Waits (up to a minute) until the consumer has written each published change as a raw row; returns how many are still missing. */
async function waitForRaw(s3: S3Client, bucket: string, entity: string, published: { id: string; updatedAt: string }[]): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const seen = new Set((await rawRows(s3, bucket, entity)).map((r) => `${String(r.id)}@${String(r._updated_at)}`));
    const missing = published.filter((r) => !seen.has(`${r.id}@${r.updatedAt}`)).length;
    if (missing === 0 || Date.now() > deadline) return missing;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<void> {
  const events = parseEvents(process.argv.slice(2));
  await stackUp({ log: (line) => console.log(line) });
  const config = await loadResolvedConfig('local');
  const source = process.env.CDC_SOURCE_URL ?? 'http://127.0.0.1:8080';
  const prefix = String(stageParam(config, 'local', 'topicPrefix'));
  console.log(`\ndemo: generating ${events} changes in the source simulator (ties, a few schema-breaking and malformed records)`);
  await post(`${source}/admin/faults`, { tieRate: 0.3, schemaBreakRate: 0.02, malformedRate: 0.05 });
  await post(`${source}/admin/generate`, { count: events });

  // The poller is fired by hand per entity; the consumer runs on its MSK triggers as on AWS.
  const functions = functionDefinitions(config).filter((d) => d.name === 'poller' || d.name === 'consumer').map((d) => ({ ...d, schedules: [], streams: [] }));
  const runtime = await startRuntime(config, functions, { log: () => undefined });
  const dynamodb = new DynamoDBClient(localClientConfig());
  const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  const fallback = new DynamoDbFallbackStore(dynamodb, s3, { tableName: config.custom.names.fallbackTable, payloadBucket: config.custom.names.rawBucket });
  const rows: string[][] = [['entity', 'source records', 'polled', 'published', 'parked (reason)', 'on Kafka or parked', 'in the raw bucket']];
  let lost = 0;
  try {
    for (const entity of entityNames(config, 'local')) {
      const summary = (await runtime.fire('poller', { entity })) as PollSummary;
      const state = (await (await fetch(`${source}/admin/state?entity=${entity}`)).json()) as { entities: Record<string, { records: { id: string; updatedAt: string }[] }> };
      const records = state.entities[entity]?.records ?? [];
      const { seen: onKafka, undecodable } = await readTopic(`${prefix}.${entity}`, config.custom.names.schemaRegistry);
      if (undecodable > 0) console.log(`demo: ${entity}: ${undecodable} message(s) on the topic are not Glue-framed Avro (not written by the pipeline)`);
      const parked = new Set([...(await fallback.parkedKeys(entity, 'AMBIGUOUS')), ...(await fallback.parkedKeys(entity, 'RETRIABLE'))]);
      const missing = records.filter((r) => !onKafka.get(r.id)?.has(r.updatedAt) && !parked.has(r.id));
      lost += missing.length;
      const published = records.filter((r) => onKafka.get(r.id)?.has(r.updatedAt));
      const notRaw = await waitForRaw(s3, config.custom.names.rawBucket, entity, published);
      lost += notRaw;
      const reasons = Object.entries(summary.parked).map(([reason, n]) => `${n} ${reason}`).join(', ') || '0';
      rows.push([entity, String(records.length), String(summary.fetched), String(summary.published), reasons, missing.length === 0 ? 'all' : `${missing.length} MISSING`, notRaw === 0 ? `all ${published.length} published` : `${notRaw} MISSING`]);
      console.log(`demo: ${entity}: ${summary.pages} page(s), ${summary.published} published, checkpoint ${summary.checkpointAfter.updatedAt}`);
    }
  } finally {
    await runtime.stop();
    dynamodb.destroy();
    s3.destroy();
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(`\n${rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n')}`);
  console.log(lost === 0
    ? '\nreconciliation: every current source record is on Kafka (Glue-framed Avro, decoded) or parked in the fallback table with its reason, and every published one is a row in the raw bucket'
    : `\nreconciliation FAILED: ${lost} source record(s) missing (neither on Kafka nor parked, or published but not in the raw bucket)`);
  console.log('The stack is still running: `npm run stack:status`, `npm run local:run` to keep the pipeline going, `npm run stack:down` to stop.');
  if (lost > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error('demo failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
