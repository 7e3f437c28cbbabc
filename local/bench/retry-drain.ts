/**
 * Retry drain events/s: events parked RETRIABLE (as the poller parks them while Kafka is down)
 * in a scratch fallback table, drained by the real retry core (`sweep` over the DynamoDB fallback
 * store, wired as functions/retry/handler.ts wires it: claim, re-encode with the latest schema,
 * send, delete, 8 keys at a time, `retrySweepBatchSize` keys per sweep) to a scratch topic.
 * Baseline: a raw kafkajs producer sending the very same messages the same way (one message per
 * request, as many requests in flight as keys drained at once) to the same broker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadRetryConfig, redrivePolicyOf } from '../../functions/retry/config';
import { topicFor } from '../../lib/config';
import { DynamoDbFallbackStore, S3StaleArchiveWriter } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { parkedEvent } from '../../lib/poller/page-plan';
import { KafkaPublisher, type OutgoingMessage, type Publisher } from '../../lib/publish';
import { InMemoryAlerts, type RedrivePolicy, sweep, type SweepDependencies } from '../../lib/redrive';
import { REPO_ROOT } from '../../stage/resolved-config';
import type { BenchStack } from './bench-stack';
import { printRow, timed } from './measure';
import { countRequests, observedDynamoDb } from './observed-dynamodb';
import type { BenchRow } from './results-table';
import { BENCH_ENTITY, customerChanges } from './workload';

const EVENTS = 2000;
/** Drained by one untimed sweep first: Glue lookups and the producer's connection are a cold start's cost. */
const WARM_UP_EVENTS = 16;

export async function benchRetryDrain(stack: BenchStack): Promise<BenchRow> {
  console.log('\nretry: draining parked events to Kafka, against a raw kafkajs producer');
  const table = await stack.scratchTable(stack.names.fallbackTable, 'retry');
  const bucket = await stack.scratchBucket('retry');
  // The handler's configuration from its stage-local environment, pointed at scratch resources; the
  // topic prefix too, because the retry function finds a topic's schema by the topic's name.
  const config = loadRetryConfig(
    stack.environmentOf('retry', {
      CDC_TOPIC_PREFIX: `bench${stack.suffix}`,
      CDC_FALLBACK_TABLE: table,
      CDC_ARCHIVE_BUCKET: bucket,
      CDC_RAW_BUCKET: bucket,
    }),
  );
  const topic = await stack.scratchTopic(topicFor(config, BENCH_ENTITY));
  await stack.scratchSchema(topic, readFileSync(path.join(REPO_ROOT, 'schemas', `${BENCH_ENTITY}.avsc`), 'utf8'));
  const rawTopic = await stack.scratchTopic(`bench.retry-raw.${stack.suffix}`);

  const parkedAt = new Date(Date.now() - 60_000).toISOString();
  const parked = customerChanges(WARM_UP_EVENTS + EVENTS).map((record) =>
    parkedEvent(
      record,
      { entity: BENCH_ENTITY, now: parkedAt },
      'RETRIABLE',
      'KAFKA_UNAVAILABLE',
      'Kafka did not acknowledge 500 message(s): the broker is down (bench)',
    ),
  );
  const fallback = new DynamoDbFallbackStore(stack.dynamodb, stack.s3, { tableName: table, payloadBucket: bucket });
  const kafkaPublisher = new KafkaPublisher({ brokers: config.kafkaBrokers, clientId: 'cdc-bench-retry' });
  const sent: OutgoingMessage[] = [];
  const publisher: Publisher = {
    publish: async (to, messages) => {
      const receipts = await kafkaPublisher.publish(to, messages);
      sent.push(...messages);
      return receipts;
    },
    close: () => kafkaPublisher.close(),
  };
  // The store's own client counts its DynamoDB requests: they, not Kafka, set the drain's pace.
  const requests = countRequests();
  const storeClient = observedDynamoDb(requests.observe);
  const deps: SweepDependencies = {
    store: new DynamoDbFallbackStore(storeClient, stack.s3, { tableName: table }),
    publisher,
    serde: stack.glueSerde(),
    log: createLogger({}, () => undefined),
    now: () => new Date(),
    owner: `bench-${stack.suffix}`,
    archive: new S3StaleArchiveWriter(stack.s3, bucket),
    alerts: new InMemoryAlerts(),
    stage: config.stage,
  };
  const policy = redrivePolicyOf(config);
  try {
    await fallback.park(parked.slice(0, WARM_UP_EVENTS));
    await drainAll(deps, policy, WARM_UP_EVENTS);
    sent.length = 0;
    requests.counts.clear();
    await fallback.park(parked.slice(WARM_UP_EVENTS));
    const drained = await timed(() => drainAll(deps, policy, EVENTS));
    const raw = await rawSend(stack.brokers, rawTopic, sent, policy.concurrency);
    const row: BenchRow = {
      stage: `retry drain: sweep → Kafka (${EVENTS.toLocaleString('en-US')} parked events, ${drained.result} sweeps of ≤ ${policy.sweepBatchSize} keys)`,
      figure: EVENTS / drained.seconds,
      unit: 'events/s',
      baseline: {
        name: `raw kafkajs producer, same messages, 1 per request, ${policy.concurrency} in flight`,
        figure: EVENTS / raw,
      },
      // Issue 15: ten times the drain rate recorded before it (63 events/s on the reference machine).
      target: { kind: 'at least', value: 630, why: '10× 63' },
    };
    printRow(row, `${perEvent(requests.counts, EVENTS)} DynamoDB requests per event`);
    return row;
  } finally {
    await kafkaPublisher.close();
    storeClient.destroy();
  }
}

/** e.g. "3.0 (Query 1.0, UpdateItem 1.0, DeleteItem 1.0)". */
function perEvent(counts: ReadonlyMap<string, number>, events: number): string {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const each = [...counts].map(([command, n]) => `${command.replace(/Command$/, '')} ${(n / events).toFixed(2)}`);
  return `${(total / events).toFixed(2)} (${each.join(', ')})`;
}

/** Sweeps until `expected` events are sent, as the scheduled sweep would over several runs; returns the sweeps it took. */
async function drainAll(deps: SweepDependencies, policy: RedrivePolicy, expected: number): Promise<number> {
  let published = 0;
  let sweeps = 0;
  while (published < expected) {
    if (sweeps > Math.ceil(expected / policy.sweepBatchSize) + 3)
      throw new Error(`the sweeps sent ${published} of ${expected} parked events`);
    const summary = await sweep(deps, policy);
    sweeps += 1;
    if (summary.kafkaDown) throw new Error('Kafka went away while the retry benchmark ran; run it again');
    published += summary.published;
  }
  return sweeps;
}

/** Seconds for a bare idempotent producer to send `messages` one per request, `inFlight` requests at a time. */
async function rawSend(
  brokers: string[],
  topic: string,
  messages: readonly OutgoingMessage[],
  inFlight: number,
): Promise<number> {
  const producer = new Kafka({ clientId: 'cdc-bench-retry-raw', brokers, logLevel: logLevel.NOTHING }).producer({
    idempotent: true,
    maxInFlightRequests: 5,
  });
  await producer.connect();
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const m = messages[next++]!;
        await producer.send({ topic, acks: -1, messages: [{ key: m.key, value: m.value, headers: { ...m.headers } }] });
      }
    };
    const { seconds } = await timed(() => Promise.all(Array.from({ length: inFlight }, worker)));
    return seconds;
  } finally {
    await producer.disconnect();
  }
}
