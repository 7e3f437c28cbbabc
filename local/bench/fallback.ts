/**
 * Fallback writes/s: the real DynamoDbFallbackStore parking events the way the poller parks a
 * page when Kafka is down (RETRIABLE, KAFKA_UNAVAILABLE, one `park` call per page), into a scratch
 * copy of the fallback table. Baseline: plain-SDK BatchWriteItem of the very same items, 25 per
 * request as the store sends them, into a second, identical scratch copy (both start empty, so
 * neither pays for overwriting the other's items), page by page after the store's.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  type TransactWriteItemsCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbFallbackStore } from '../../lib/fallback';
import { parkedEvent } from '../../lib/poller/page-plan';
import type { BenchStack } from './bench-stack';
import { printRow, timed } from './measure';
import { observedDynamoDb } from './observed-dynamodb';
import type { BenchRow } from './results-table';
import { BENCH_ENTITY, chunks, customerChanges } from './workload';

const EVENTS = 20_000;
/** DynamoDB's limit per BatchWriteItem request, the store's batch too. */
const BATCH_WRITE_LIMIT = 25;

type Item = Record<string, AttributeValue>;

export async function benchFallback(stack: BenchStack): Promise<BenchRow> {
  console.log('\nfallback: parking events in DynamoDB, against plain BatchWriteItem');
  const pageLimit = Number(stack.param('pollPageLimit'));
  const [storeTable, rawTable] = [
    await stack.scratchTable(stack.names.fallbackTable, 'park'),
    await stack.scratchTable(stack.names.fallbackTable, 'put'),
  ];
  const now = new Date().toISOString();
  const parked = customerChanges(EVENTS).map((record) =>
    parkedEvent(
      record,
      { entity: BENCH_ENTITY, now },
      'RETRIABLE',
      'KAFKA_UNAVAILABLE',
      'Kafka did not acknowledge 500 message(s): the broker is down (bench)',
    ),
  );
  const { client, written } = recordingClient(storeTable);
  const store = new DynamoDbFallbackStore(client, stack.s3, {
    tableName: storeTable,
    payloadBucket: stack.names.rawBucket,
  });
  try {
    // Page by page, each page parked then written plainly: both see the same moments of a shared moto.
    let parkSeconds = 0;
    let putSeconds = 0;
    for (const page of chunks(parked, pageLimit)) {
      const before = written.size;
      parkSeconds += (await timed(() => store.park(page))).seconds;
      const items = [...written.values()].slice(before);
      putSeconds += (
        await timed(async () => {
          for (const batch of chunks(items, BATCH_WRITE_LIMIT)) await batchWrite(stack.dynamodb, rawTable, batch);
        })
      ).seconds;
    }
    const items = [...written.values()];
    if (items.length !== EVENTS) throw new Error(`the store wrote ${items.length} items for ${EVENTS} events`);
    const row: BenchRow = {
      stage: `fallback: DynamoDbFallbackStore.park (${EVENTS.toLocaleString('en-US')} events, pages of ${pageLimit})`,
      figure: EVENTS / parkSeconds,
      unit: 'writes/s',
      baseline: { name: 'plain BatchWriteItem, same items, same table definition', figure: EVENTS / putSeconds },
    };
    printRow(
      row,
      `items ≈ ${Math.round(items.reduce((sum, item) => sum + itemBytes(item), 0) / items.length)} bytes each (DynamoDB's item size)`,
    );
    return row;
  } finally {
    client.destroy();
  }
}

/**
 * A client for the store that keeps every item it sends, so the baseline writes byte for byte
 * what the store wrote (payload JSON, key layout, attributes) without a copy of the store's item format.
 */
function recordingClient(table: string): { client: DynamoDBClient; written: Map<string, Item> } {
  const written = new Map<string, Item>();
  // Keyed by pk/sk: an item re-sent after being left unprocessed (or a transaction tried again) is one item.
  const record = (item: Item | undefined): void => {
    if (item) written.set(`${item.pk?.S}\u0000${item.sk?.S}`, item);
  };
  const client = observedDynamoDb((command, input) => {
    if (command === 'BatchWriteItemCommand')
      for (const { PutRequest } of (input as BatchWriteItemCommandInput).RequestItems?.[table] ?? [])
        record(PutRequest?.Item);
    // The store's conditional puts (each only if its key holds nothing newer) go in transactions.
    if (command === 'TransactWriteItemsCommand')
      for (const { Put } of (input as TransactWriteItemsCommandInput).TransactItems ?? [])
        if (Put?.TableName === table) record(Put.Item);
  });
  return { client, written };
}

/**
 * DynamoDB's size of an item, which sets its write units (1 per KB): attribute names plus values
 * (strings in UTF-8 bytes, numbers about one byte per two digits, 3 bytes per list or map).
 */
function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  return 1;
}

async function batchWrite(dynamodb: DynamoDBClient, table: string, items: readonly Item[]): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 8) throw new Error(`${table}: ${pending.length} item(s) still unprocessed`);
    const out = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []).map((r) => ({ PutRequest: { Item: r.PutRequest?.Item ?? {} } }));
  }
}
