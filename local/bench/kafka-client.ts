/**
 * Issue 15's Kafka client question: the Publisher port on kafkajs (KafkaPublisher) against the
 * same port on @platformatic/kafka, publishing the very same change messages in the same batches
 * to the same broker, in interleaved rounds (the order swapped each round) so a busy moment of
 * the shared machine slows both alike. Then each client's bundled size and load time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import '../promise-with-resolvers';
import { changeMessage, KafkaPublisher, type OutgoingMessage, type Publisher } from '../../lib/publish';
import { PlatformaticKafkaPublisher } from '../../lib/publish/platformatic-publisher';
import type { BenchStack } from './bench-stack';
import { benchLibraryCosts, LIBRARIES } from './library-cost';
import { printRow } from './measure';
import type { BenchRow } from './results-table';

const EVENTS = 40_000;
const KEYS = 4_000;
const ROUNDS = 4;
/** About a customer record's Glue-framed Avro size. */
const VALUE_BYTES = 350;

/** Pages of change messages as the poller sends them: one batch per page, keys spread over the ids. */
function changePages(pageLimit: number): OutgoingMessage[][] {
  const messages = Array.from({ length: EVENTS }, (_, i) =>
    changeMessage(
      'customer',
      { id: `customer-${i % KEYS}`, eventId: randomBytes(16).toString('hex'), op: 'UPSERT' },
      '9f3c2a1e-0000-4000-8000-000000000001',
      randomBytes(VALUE_BYTES),
    ),
  );
  const pages: OutgoingMessage[][] = [];
  for (let i = 0; i < messages.length; i += pageLimit) pages.push(messages.slice(i, i + pageLimit));
  return pages;
}

async function publishAll(publisher: Publisher, topic: string, pages: readonly OutgoingMessage[][]): Promise<number> {
  const started = performance.now();
  for (const page of pages) await publisher.publish(topic, page);
  return (performance.now() - started) / 1000;
}

export async function benchKafkaClients(stack: BenchStack): Promise<BenchRow[]> {
  const pageLimit = Number(stack.param('pollPageLimit'));
  console.log(
    `\nkafka client: the Publisher port on kafkajs and on @platformatic/kafka, ${EVENTS.toLocaleString('en-US')} events in pages of ${pageLimit}, ${ROUNDS} interleaved rounds`,
  );
  const pages = changePages(pageLimit);
  const clients = [
    {
      name: 'kafkajs (KafkaPublisher)',
      publisher: new KafkaPublisher({ brokers: stack.brokers, clientId: 'cdc-bench-kafkajs' }) as Publisher,
      topic: await stack.scratchTopic(`bench.client.kafkajs.${stack.suffix}`),
      seconds: 0,
    },
    {
      name: '@platformatic/kafka (PlatformaticKafkaPublisher)',
      publisher: new PlatformaticKafkaPublisher({ brokers: stack.brokers, clientId: 'cdc-bench-platformatic' }),
      topic: await stack.scratchTopic(`bench.client.platformatic.${stack.suffix}`),
      seconds: 0,
    },
  ];
  try {
    // Connected, producer ids held and metadata cached before anything is timed.
    for (const c of clients) await publishAll(c.publisher, c.topic, pages.slice(0, 2));
    const perRound = Math.ceil(pages.length / ROUNDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      const slice = pages.slice(round * perRound, (round + 1) * perRound);
      for (const c of round % 2 === 0 ? clients : [...clients].reverse())
        c.seconds += await publishAll(c.publisher, c.topic, slice);
    }
  } finally {
    for (const c of clients) await c.publisher.close();
  }
  const [kafkajs, platformatic] = clients;
  const row: BenchRow = {
    stage: `kafka client: @platformatic/kafka behind the Publisher port (${EVENTS.toLocaleString('en-US')} events, pages of ${pageLimit})`,
    figure: EVENTS / platformatic!.seconds,
    unit: 'events/s',
    baseline: { name: 'kafkajs behind the same port, same messages and batches', figure: EVENTS / kafkajs!.seconds },
    // Issue 15: adopt it only if it is faster (and passes the publisher and chaos suites).
    target: { kind: 'ratio at least', value: 1 },
  };
  printRow(row);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cdc-bench-kafka-client-'));
  try {
    const costs = await benchLibraryCosts(
      dir,
      LIBRARIES.filter((l) => l.name === 'kafkajs' || l.name === '@platformatic/kafka'),
    );
    return [row, ...costs];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
