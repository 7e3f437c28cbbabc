/**
 * The bad-input catalogue through the real DynamoDB fallback adapter on moto: every row that parks
 * must make an item DynamoDB takes (no duplicate keys in one request, no item over 400 KB, no key
 * over 2 KB), and read back as the event it parked. The in-memory run is tests/unit/poller.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDbFallbackStore, type ParkedEvent } from '../../lib/fallback';
import { cloneTable, dropTable, scanAll } from '../../local/scratch-tables';
import { CATALOGUE, checkCatalogueRow } from '../helpers/bad-input-catalogue';
import { localClientConfig, localNames } from '../helpers/local-stack';

const dynamodb = new DynamoDBClient(localClientConfig());
const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
const tables: string[] = [];
afterAll(async () => {
  for (const t of tables) await dropTable(dynamodb, t);
  dynamodb.destroy();
  s3.destroy();
});

async function payloadOf(item: Record<string, unknown>): Promise<unknown> {
  if (typeof item.payload === 'string') return JSON.parse(item.payload);
  const { bucket, key } = item.payloadS3 as { bucket: string; key: string };
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString('utf8'));
}

describe('the bad-input catalogue through the DynamoDB fallback table (moto)', () => {
  it.each(CATALOGUE.filter((row) => 'parked' in row.outcome).map((row) => [row.input, row] as const))(
    '%s',
    async (_input, row) => {
      const names = await localNames();
      // A scratch copy of the fallback table: these made-up events must not reach the pipeline's retry function.
      const table = await cloneTable(
        dynamodb,
        names.fallbackTable,
        `${names.fallbackTable}-bad-${randomUUID().slice(0, 8)}`,
      );
      tables.push(table);
      const store = new DynamoDbFallbackStore(dynamodb, s3, { tableName: table, payloadBucket: names.rawBucket });
      const parked = async (): Promise<ParkedEvent[]> =>
        Promise.all(
          (await scanAll(dynamodb, table)).map(async (item) => ({
            ...(item as unknown as ParkedEvent),
            payload: await payloadOf(item),
          })),
        );
      await checkCatalogueRow(row, { store, parked });
    },
  );
});
