/**
 * The consumer's throughput, MSK event → decode + flatten + JSON lines + gzip → S3 (moto), with
 * the real consumer core and S3 raw store wired as functions/consumer/handler.ts wires them, on
 * synthetic MSK events of `consumerBatchSize` Glue-framed Avro records. Baseline: the same
 * records only decoded (base64 + Glue header + Avro, the same serde), nothing written.
 */
import type { MSKEvent } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { entityOfTopic, loadConsumerConfig } from '../../functions/consumer/config';
import { topicFor } from '../../lib/config';
import {
  consumeBatch,
  DynamoDbPartitionMarks,
  fromMskRecord,
  InMemoryPartitionMarks,
  S3RawStore,
} from '../../lib/consumer';
import { InMemoryFallbackStore } from '../../lib/fallback';
import { createLogger } from '../../lib/log';
import type { OutgoingMessage } from '../../lib/publish';
import type { GlueAvroSerde } from '../../lib/serde';
import { mskRecord } from '../runtime/msk-trigger';
import type { BenchStack } from './bench-stack';
import { printRow, timed } from './measure';
import type { BenchRow } from './results-table';
import { BENCH_ENTITY, chunks, customerChanges, encodeChanges } from './workload';

/** MSK events delivered; each holds `consumerBatchSize` records (1,000 by default). */
const BATCHES = 100;
const BATCH_START_MS = Date.parse('2026-11-24T10:00:00.000Z');

export async function benchConsumer(stack: BenchStack): Promise<BenchRow> {
  console.log('\nconsumer: MSK event → S3, against decode-only');
  const batchSize = Number(stack.param('consumerBatchSize'));
  const bucket = await stack.scratchBucket('consumer');
  // The handler's own configuration, read from its stage-local environment, pointed at the scratch bucket.
  const config = loadConsumerConfig(stack.environmentOf('consumer', { CDC_RAW_BUCKET: bucket }));
  const serde = stack.glueSerde();
  const topic = topicFor(config, BENCH_ENTITY);
  const messages = await encodeChanges(serde, topic, customerChanges(BATCHES * batchSize));
  const events = chunks(messages, batchSize).map((batch, i) => mskEvent(topic, i * batchSize, batch));
  // Poison records would be parked: none are expected, and the shared fallback table is not the bench's to write.
  const fallback = new InMemoryFallbackStore();
  // The raw offsets in a scratch copy of the stage's table, as the handler keeps them (a read and a conditional put per partition batch).
  const marks = new DynamoDbPartitionMarks(
    stack.dynamodb,
    await stack.scratchTable(stack.names.rawOffsetsTable, 'consumer'),
  );
  const deps = {
    serde,
    raw: new S3RawStore(stack.s3, bucket),
    fallback,
    marks,
    log: createLogger({}, () => undefined),
  };
  const options = { entityOf: entityOfTopic(config), gzip: config.gzip, decodeAttempts: config.decodeAttempts };

  // One untimed batch each: Glue lookups, JIT and the S3 connection are a cold start's cost, not throughput.
  await decodeOnly(events[0]!, serde);
  await consumeBatch(events[0]!, { ...deps, marks: new InMemoryPartitionMarks() }, options);
  const decoded = await timed(async () => {
    for (const event of events) await decodeOnly(event, serde);
  });
  const consumed = await timed(async () => {
    const written = { rows: 0, objects: 0, bytes: 0 };
    for (const event of events) {
      const summary = await consumeBatch(event, deps, options);
      written.rows += summary.rows;
      written.objects += summary.objects;
      written.bytes += summary.bytes;
    }
    return written;
  });
  const written = consumed.result;
  if (written.rows !== messages.length)
    throw new Error(`the consumer wrote ${written.rows} rows of ${messages.length} records`);

  const row: BenchRow = {
    stage: `consumer: MSK event → S3 (${messages.length.toLocaleString('en-US')} events, batches of ${batchSize}, gzip ${config.gzip ? 'on' : 'off'})`,
    figure: messages.length / consumed.seconds,
    unit: 'events/s',
    baseline: { name: 'decode-only: same records, same serde, no S3', figure: messages.length / decoded.seconds },
    target: { kind: 'ratio at least', value: 0.5 },
  };
  printRow(
    row,
    `${written.objects} objects of ≈ ${Math.round(written.bytes / written.objects / 1024)} KiB in ${consumed.seconds.toFixed(1)} s`,
  );
  return row;
}

/** One partition's records in offset order, as the local runtime's MSK trigger delivers a batch. */
function mskEvent(topic: string, firstOffset: number, messages: readonly OutgoingMessage[]): MSKEvent {
  const partition = 0;
  const records = messages.map((m, i) => mskRecord(topic, partition, kafkaMessage(m, firstOffset + i)));
  // The local runtime's record type is the AWS-documented shape; aws-lambda's typing only insists on a key.
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/bench/1',
    bootstrapServers: 'bench:9092',
    records: { [`${topic}-${partition}`]: records },
  } as MSKEvent;
}

function kafkaMessage(message: OutgoingMessage, offset: number): KafkaMessage {
  const headers = Object.fromEntries(
    Object.entries(message.headers).map(([name, value]) => [name, Buffer.from(value)]),
  );
  return {
    key: Buffer.from(message.key),
    value: message.value,
    headers,
    offset: String(offset),
    timestamp: String(BATCH_START_MS + offset),
    attributes: 0,
  } as KafkaMessage;
}

async function decodeOnly(event: MSKEvent, serde: GlueAvroSerde): Promise<void> {
  for (const records of Object.values(event.records))
    for (const record of records) await serde.decode(fromMskRecord(record).value);
}
