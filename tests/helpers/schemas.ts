import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export function schemaFile(entity: string): string {
  return readFileSync(path.join(ROOT, 'schemas', `${entity}.avsc`), 'utf8');
}

/** A schema definition edited as JSON: returns the changed copy, the original is untouched. */
export function evolve(
  definition: string,
  change: (schema: { fields: Record<string, unknown>[] } & Record<string, unknown>) => void,
): string {
  const schema = JSON.parse(definition);
  change(schema);
  return JSON.stringify(schema);
}

export function dataFields(schema: { fields: Record<string, unknown>[] }): Record<string, unknown>[] {
  const data = schema.fields.find((f) => f.name === 'data') as {
    type: [string, { fields: Record<string, unknown>[] }];
  };
  return data.type[1].fields;
}

export function customerChange(
  overrides: Record<string, unknown> = {},
  data: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventId: 'a'.repeat(32),
    op: 'UPSERT',
    id: 'c-1',
    updatedAt: '2026-11-24T10:00:00.000Z',
    data: {
      id: 'c-1',
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      address: { line1: '1 Analytical St', city: 'London', postalCode: null, country: 'GB' },
      balance: 12.5,
      active: true,
      createdAt: '2026-01-01T00:00:00.000Z',
      ...data,
    },
    ...overrides,
  };
}
