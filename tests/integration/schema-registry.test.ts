import { randomUUID } from 'node:crypto';
import { CreateRegistryCommand, DeleteRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  GlueSchemaRegistry,
  RegistryUnavailableError,
  SchemaCache,
  SchemaIncompatibleError,
  SchemaNotFoundError,
  registerSchema,
} from '../../lib/registry';
import { GlueAvroSerde } from '../../lib/serde';
import { localClientConfig } from '../helpers/local-stack';
import { customerChange, dataFields, evolve, schemaFile } from '../helpers/schemas';

const NAME = 'cdc.customer';
const v1 = schemaFile('customer');
const v2 = evolve(v1, (s) => dataFields(s).push({ name: 'loyaltyTier', type: ['null', 'string'], default: null }));
const glue = new GlueClient(localClientConfig());
const registryName = `it-registry-${randomUUID().slice(0, 8)}`;
const registry = new GlueSchemaRegistry(glue, registryName);
const serdeWithFreshCache = (): GlueAvroSerde =>
  new GlueAvroSerde(new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 50 }));

beforeAll(async () => {
  await glue.send(new CreateRegistryCommand({ RegistryName: registryName }));
});

afterAll(async () => {
  await glue.send(new DeleteRegistryCommand({ RegistryId: { RegistryName: registryName } })).catch(() => undefined);
  glue.destroy();
});

describe('the Glue Schema Registry on the local stack (moto)', () => {
  let v1Serde: GlueAvroSerde;
  let writtenWithV1: Buffer;

  it('creates the schema from the file, then leaves it unchanged on a second run', async () => {
    expect(
      await registerSchema(registry, { schemaName: NAME, definition: v1, compatibility: 'BACKWARD' }),
    ).toMatchObject({ action: 'created', versionNumber: 1 });
    expect(
      await registerSchema(registry, { schemaName: NAME, definition: v1, compatibility: 'BACKWARD' }),
    ).toMatchObject({ action: 'unchanged', versionNumber: 1 });
    v1Serde = serdeWithFreshCache();
    writtenWithV1 = (await v1Serde.encode(NAME, customerChange())).bytes;
  });

  it('registers an added optional field as version 2, AVAILABLE', async () => {
    const outcome = await registerSchema(registry, { schemaName: NAME, definition: v2, compatibility: 'BACKWARD' });
    expect(outcome).toMatchObject({ action: 'registered', versionNumber: 2 });
    expect(await registry.getVersionStatus(outcome.schemaVersionId)).toEqual({ status: 'AVAILABLE' });
    expect(await registry.getVersionIdByDefinition(NAME, v2)).toBe(outcome.schemaVersionId);
  });

  it('decodes data written with v1 through a v2 reader', async () => {
    const decoded = await serdeWithFreshCache().decode(writtenWithV1, NAME);
    expect(decoded.value).toEqual({
      ...customerChange(),
      data: { ...(customerChange().data as object), loyaltyTier: null },
    });
  });

  it('decodes data written with v2 through a v1 reader', async () => {
    const record = customerChange({}, { loyaltyTier: 'GOLD' });
    const { bytes, schemaVersionId } = await serdeWithFreshCache().encode(NAME, record, 'zlib');
    expect(schemaVersionId).toBe(await registry.getVersionIdByDefinition(NAME, v2));
    // v1Serde cached v1 as the latest version of the schema: it is a v1 reader.
    expect((await v1Serde.decode(bytes, NAME)).value).toEqual(customerChange());
  });

  it('refuses a breaking change with our own check (moto would accept it), naming the field', async () => {
    const breaking = evolve(v2, (s) => dataFields(s).push({ name: 'segment', type: 'string' }));
    await expect(
      registerSchema(registry, { schemaName: NAME, definition: breaking, compatibility: 'BACKWARD' }),
    ).rejects.toThrow(SchemaIncompatibleError);
    await expect(
      registerSchema(registry, { schemaName: NAME, definition: breaking, compatibility: 'BACKWARD' }),
    ).rejects.toThrow(/field data\.segment is required/);
    expect((await registry.getSchema(NAME))?.latestVersionNumber).toBe(2);
  });

  it('reports an unknown schema as SCHEMA_NOT_FOUND, not retriable', async () => {
    await expect(registry.getLatestVersion('cdc.nothing')).rejects.toMatchObject({
      reason: 'SCHEMA_NOT_FOUND',
      retriable: false,
    });
    await expect(registry.getLatestVersion('cdc.nothing')).rejects.toBeInstanceOf(SchemaNotFoundError);
  });

  it('reports an unreachable Glue as retriable', async () => {
    const offline = new GlueClient({ ...localClientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    try {
      await expect(new GlueSchemaRegistry(offline, registryName).getLatestVersion(NAME)).rejects.toBeInstanceOf(
        RegistryUnavailableError,
      );
    } finally {
      offline.destroy();
    }
  });
});
