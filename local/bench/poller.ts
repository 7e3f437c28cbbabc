/**
 * The poller's throughput, simulator → validate + Avro + Glue frame → Kafka, with the real
 * checkpoint and fallback tables on moto, as a ratio to a raw kafkajs producer sending the
 * very same pre-encoded messages (same broker, same batches, acks=all, idempotent) in the same run.
 * The source simulator runs in its own process, as a remote API would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DynamoDbCheckpointStore } from '../../lib/checkpoint';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import { pollEntity } from '../../lib/poller';
import { KafkaPublisher, type OutgoingMessage, type Publisher } from '../../lib/publish';
import { DEFAULT_MAPPING, HttpSource, pagesOf } from '../../lib/source';
import { REPO_ROOT } from '../../stage/resolved-config';
import type { BenchStack } from './bench-stack';
import { printSection } from './measure';
import { countRequests, observedDynamoDb } from './observed-dynamodb';
import type { BenchRow } from './results-table';

const ENTITY = 'customer';
/** Changes generated; the feed holds the latest change per id, about 112k events for this seed. */
const CHANGES = 250_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startSimulator(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'local/simulator/main.ts'), '--port', String(port), '--seed', '5'],
    { stdio: 'ignore', cwd: REPO_ROOT },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error("the benchmark's simulator did not answer within 20 s");
}

export async function benchPoller(stack: BenchStack): Promise<BenchRow> {
  console.log('\npoller: simulator → Kafka, against a raw kafkajs producer (generating the source data…)');
  const names = stack.names;
  const pageLimit = Number(stack.param('pollPageLimit'));
  const simulator = await startSimulator();
  try {
    const pollerTopic = await stack.scratchTopic(`bench.poller.${stack.suffix}`);
    const rawTopic = await stack.scratchTopic(`bench.raw.${stack.suffix}`);
    const checkpointTable = await stack.scratchTable(names.checkpointTable, 'poller');
    const fallbackTable = await stack.scratchTable(names.fallbackTable, 'poller');
    for (let done = 0; done < CHANGES; done += 50_000) {
      const generated = await fetch(`${simulator.url}/admin/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 50_000, entities: [ENTITY] }),
      });
      if (!generated.ok)
        throw new Error(`simulator /admin/generate answered ${generated.status}: ${await generated.text()}`);
    }

    const source = new HttpSource({
      baseUrl: new URL(simulator.url),
      mappingOf: () => DEFAULT_MAPPING,
      token: async () => undefined,
      pageLimit,
      requestTimeoutMs: 10_000,
      maxResponseBytes: 20 * 1024 * 1024,
      retry: { retries: 3, initialDelayMs: 100, maxDelayMs: 1000 },
    });
    // The source alone: how fast the simulator can be paged through (the ceiling for the poller).
    const fetchStarted = performance.now();
    let fetched = 0;
    for await (const page of pagesOf(source, ENTITY, '1970-01-01T00:00:00.000Z', {
      maxPages: 100_000,
      maxConsecutiveEmptyPages: 5,
    }))
      fetched += page.entries.length;
    const fetchSeconds = (performance.now() - fetchStarted) / 1000;

    // The poller, as the handler builds it, with a publisher that also keeps what it sent.
    const kafkaPublisher = new KafkaPublisher({ brokers: stack.brokers, clientId: 'cdc-bench-poller' });
    const sent: OutgoingMessage[][] = [];
    const publisher: Publisher = {
      publish: async (topic, messages) => {
        const receipts = await kafkaPublisher.publish(topic, messages);
        sent.push([...messages]);
        return receipts;
      },
      close: () => kafkaPublisher.close(),
    };
    // Its DynamoDB requests are counted: the checkpoint write per page is the cost model's figure.
    const requests = countRequests();
    const dynamodb = observedDynamoDb(requests.observe);
    const started = performance.now();
    const summary = await pollEntity(
      {
        source,
        checkpoints: new DynamoDbCheckpointStore(dynamodb, checkpointTable),
        fallback: new DynamoDbFallbackStore(dynamodb, stack.s3, {
          tableName: fallbackTable,
          payloadBucket: names.rawBucket,
        }),
        publisher,
        serde: stack.glueSerde(),
        log: createLogger({}, () => undefined),
      },
      {
        entity: ENTITY,
        topic: pollerTopic,
        schemaName: `cdc.${ENTITY}`,
        compression: 'none',
        runId: 'bench',
        leaseMs: 600_000,
        limits: { maxPages: 100_000, maxConsecutiveEmptyPages: 5 },
        outOfTime: () => false,
      },
    );
    const pollerSeconds = (performance.now() - started) / 1000;
    await kafkaPublisher.close();
    dynamodb.destroy();
    if (summary.published < 100_000)
      throw new Error(
        `the poller published only ${summary.published} events (parked: ${JSON.stringify(summary.parked)}); the benchmark needs at least 100,000: if Kafka went away meanwhile, run it again`,
      );

    // The baseline: a bare kafkajs producer sending the same bytes in the same batches.
    const producer = new Kafka({
      clientId: 'cdc-bench-raw',
      brokers: stack.brokers,
      logLevel: logLevel.NOTHING,
    }).producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    const rawStarted = performance.now();
    for (const batch of sent)
      await producer.send({
        topic: rawTopic,
        acks: -1,
        messages: batch.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
      });
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    await producer.disconnect();

    const events = summary.published;
    const row: BenchRow = {
      stage: `poller: simulator → Kafka (${events.toLocaleString('en-US')} events, pages of ${pageLimit}, checkpoint per page)`,
      figure: events / pollerSeconds,
      unit: 'events/s',
      baseline: { name: 'raw kafkajs producer, same messages and batches, same broker', figure: events / rawSeconds },
      target: { kind: 'ratio at least', value: 0.7 },
    };
    printSection(
      `poller, simulator → Kafka (${events.toLocaleString('en-US')} customer events, ${summary.pages} pages of ${pageLimit}, checkpoint per page; events/s)`,
      {
        name: `raw kafkajs producer, same pre-encoded messages and batches (${rawSeconds.toFixed(1)} s)`,
        opsPerSecond: events / rawSeconds,
      },
      [
        {
          name: `source alone: page through the simulator (${fetchSeconds.toFixed(1)} s)`,
          opsPerSecond: fetched / fetchSeconds,
        },
        {
          name: `poller: fetch + validate + encode + publish (${pollerSeconds.toFixed(1)} s)`,
          opsPerSecond: events / pollerSeconds,
        },
      ],
    );
    console.log(
      `  the poller's DynamoDB requests: ${[...requests.counts].map(([command, n]) => `${command.replace(/Command$/, '')} ${n}`).join(', ')} for ${summary.pages} pages`,
    );
    return row;
  } finally {
    simulator.child.kill();
  }
}
