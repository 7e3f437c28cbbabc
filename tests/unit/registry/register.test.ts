import { SchemaIncompatibleError } from '../../../lib/registry/errors';
import { registerSchema } from '../../../lib/registry/register';
import { InMemorySchemaRegistry as FakeRegistry } from '../../../lib/registry/in-memory-registry';
import { dataFields, evolve, schemaFile } from '../../helpers/schemas';

const NAME = 'cdc.customer';
const v1 = schemaFile('customer');
const v2 = evolve(v1, (s) => dataFields(s).push({ name: 'loyaltyTier', type: ['null', 'string'], default: null }));
const noSleep = { sleep: async () => undefined, pollMs: 0 };

describe('registering a schema file', () => {
  it('creates a missing schema with the file as version 1', async () => {
    const registry = new FakeRegistry();
    expect(
      await registerSchema(registry, { schemaName: NAME, definition: v1, compatibility: 'BACKWARD' }),
    ).toMatchObject({ action: 'created', versionNumber: 1 });
  });

  it('changes nothing when the latest version has the same definition, even reformatted', async () => {
    const registry = new FakeRegistry();
    registry.seed(NAME, v1);
    const reformatted = JSON.stringify(JSON.parse(v1));
    expect(
      await registerSchema(registry, { schemaName: NAME, definition: reformatted, compatibility: 'BACKWARD' }),
    ).toMatchObject({ action: 'unchanged', versionNumber: 1 });
    expect(registry.calls.some((c) => c.startsWith('register:'))).toBe(false);
  });

  it('registers a changed, compatible definition as the next version', async () => {
    const registry = new FakeRegistry();
    registry.seed(NAME, v1);
    expect(
      await registerSchema(registry, { schemaName: NAME, definition: v2, compatibility: 'BACKWARD' }, noSleep),
    ).toMatchObject({ action: 'registered', versionNumber: 2 });
  });

  it('refuses an incompatible definition before calling Glue, naming the field', async () => {
    const registry = new FakeRegistry();
    registry.seed(NAME, v1);
    const breaking = evolve(v1, (s) => dataFields(s).push({ name: 'segment', type: 'string' }));
    await expect(
      registerSchema(registry, { schemaName: NAME, definition: breaking, compatibility: 'BACKWARD' }),
    ).rejects.toThrow(
      'cdc.customer: refusing to register: BACKWARD: the new schema cannot read data written with version 1: field data.segment is required',
    );
    expect(registry.calls.some((c) => c.startsWith('register:'))).toBe(false);
  });

  it('waits while Glue says PENDING and succeeds when it becomes AVAILABLE', async () => {
    const registry = new FakeRegistry();
    registry.seed(NAME, v1);
    registry.nextStatuses = ['PENDING', 'PENDING', 'AVAILABLE'];
    await registerSchema(registry, { schemaName: NAME, definition: v2, compatibility: 'BACKWARD' }, noSleep);
    expect(registry.calls.filter((c) => c.startsWith('status:'))).toHaveLength(2);
  });

  it("fails with Glue's reason when the version ends in FAILURE", async () => {
    const registry = new FakeRegistry();
    registry.seed(NAME, v1);
    registry.nextStatuses = ['PENDING', 'FAILURE'];
    const error = await registerSchema(
      registry,
      { schemaName: NAME, definition: v2, compatibility: 'BACKWARD' },
      noSleep,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect((error as Error).message).toBe(
      'cdc.customer v2: Glue refused the version (FAILURE): Compatibility check failed (in-memory Glue)',
    );
  });
});
