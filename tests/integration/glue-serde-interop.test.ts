/**
 * Our serde against AWS's own Java serializer (software.amazon.glue:schema-registry-serde),
 * both talking to the local stack's Glue Schema Registry (moto).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateRegistryCommand, DeleteRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { GlueSchemaRegistry, SchemaCache, registerSchema } from '../../lib/registry';
import { GlueAvroSerde, readGlueFrame } from '../../lib/serde';
import { localClientConfig } from '../helpers/local-stack';
import { customerChange } from '../helpers/schemas';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const JAVA_DIR = path.join(ROOT, 'tests/interop/glue-serde-java');
const JAR = path.join(JAVA_DIR, 'target/glue-serde-interop-1.jar');
const SCHEMA_FILE = path.join(ROOT, 'schemas/customer.avsc');
const NAME = 'cdc.customer';
const work = mkdtempSync(path.join(os.tmpdir(), 'interop-'));
const glue = new GlueClient(localClientConfig());
const registryName = `it-interop-${randomUUID().slice(0, 8)}`;
const registry = new GlueSchemaRegistry(glue, registryName);
const serde = new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 }));

const RECORDS = [
  customerChange(),
  customerChange({ id: 'c-2', op: 'UPSERT' }, { id: 'c-2', email: null, phone: null, address: null }),
  customerChange(
    { id: 'c-3', updatedAt: '2026-11-24T23:59:59.999Z' },
    { id: 'c-3', displayName: 'Zoë Ørsted — 東京 🚀', balance: -0.01, active: false },
  ),
];

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (m, e) =>
      Math.max(m, e.isDirectory() ? newestMtime(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs),
    0,
  );
}

async function java(...args: string[]): Promise<string> {
  const { credentials } = localClientConfig();
  const child = run(
    'java',
    ['-cp', `${JAR}:${path.join(JAVA_DIR, 'target/lib')}/*`, 'cdc.interop.GlueSerdeInterop', ...args],
    {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: localClientConfig().endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    },
  );
  child.child.stdin?.end();
  return (await child).stdout;
}

/** Java's view of a record: timestamps as epoch millis. */
function asJava(record: Record<string, unknown>): unknown {
  const data = record.data as Record<string, unknown> | null;
  return {
    ...record,
    updatedAt: Date.parse(String(record.updatedAt)),
    data: data && { ...data, createdAt: Date.parse(String(data.createdAt)) },
  };
}

beforeAll(async () => {
  if (
    !existsSync(JAR) ||
    statSync(JAR).mtimeMs <
      Math.max(statSync(path.join(JAVA_DIR, 'pom.xml')).mtimeMs, newestMtime(path.join(JAVA_DIR, 'src')))
  ) {
    const build = run(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        path.join(JAVA_DIR, 'pom.xml'),
        'package',
        'dependency:copy-dependencies',
        `-DoutputDirectory=${path.join(JAVA_DIR, 'target/lib')}`,
        '-DincludeScope=runtime',
      ],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    build.child.stdin?.end();
    await build;
  }
  await glue.send(new CreateRegistryCommand({ RegistryName: registryName }));
  // Register the schema the way Avro Java prints it: the Java serializer looks its version up by that exact definition.
  const definition = (await java('schema', SCHEMA_FILE)).trim();
  await registerSchema(registry, { schemaName: NAME, definition, compatibility: 'BACKWARD' });
  writeFileSync(path.join(work, 'records.jsonl'), `${RECORDS.map((r) => JSON.stringify(r)).join('\n')}\n`);
}, 660_000);

afterAll(async () => {
  await glue.send(new DeleteRegistryCommand({ RegistryId: { RegistryName: registryName } })).catch(() => undefined);
  glue.destroy();
});

describe.each(['NONE', 'ZLIB'] as const)(
  'interoperability with AWS schema-registry-serde, compression %s',
  (compression) => {
    const ours = compression === 'NONE' ? 'none' : 'zlib';

    it('decodes what the Java serializer wrote', async () => {
      const messages = (
        await java('encode', registryName, NAME, compression, SCHEMA_FILE, path.join(work, 'records.jsonl'))
      )
        .trim()
        .split('\n');
      expect(messages).toHaveLength(RECORDS.length);
      for (const [i, hex] of messages.entries()) {
        const bytes = Buffer.from(hex, 'hex');
        expect(readGlueFrame(bytes).compression).toBe(ours);
        expect((await serde.decode(bytes)).value).toEqual(RECORDS[i]);
      }
    });

    it('writes what the Java deserializer reads', async () => {
      const hex = await Promise.all(
        RECORDS.map(async (r) => (await serde.encode(NAME, r, ours)).bytes.toString('hex')),
      );
      writeFileSync(path.join(work, `ours-${ours}.hex`), `${hex.join('\n')}\n`);
      const decoded = (await java('decode', registryName, path.join(work, `ours-${ours}.hex`)))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
      expect(decoded).toEqual(RECORDS.map(asJava));
    });
  },
);

it('writes exactly the bytes the Java serializer writes for the same record and schema version', async () => {
  const javaHex = (await java('encode', registryName, NAME, 'NONE', SCHEMA_FILE, path.join(work, 'records.jsonl')))
    .trim()
    .split('\n');
  const ourHex = await Promise.all(RECORDS.map(async (r) => (await serde.encode(NAME, r)).bytes.toString('hex')));
  expect(ourHex).toEqual(javaHex);
});
