import type { JsonObject, JsonValue } from '../../../local/simulator/types';

/** A field type from DESIGN.md, "The sample entities" (written out here on purpose: the test must not trust the generator). */
type FieldType =
  | 'string'
  | 'number'
  | 'money'
  | 'integer'
  | 'boolean'
  | 'time'
  | 'date'
  | 'country'
  | 'currency'
  | { enum: readonly string[] }
  | { object: FieldSpec }
  | { arrayOf: FieldSpec };

interface Field {
  type: FieldType;
  optional?: boolean;
}

type FieldSpec = Record<string, Field>;

const required = (type: FieldType): Field => ({ type });
const optional = (type: FieldType): Field => ({ type, optional: true });

export const DESIGN_FIELDS = {
  customer: {
    id: required('string'),
    displayName: required('string'),
    email: optional('string'),
    phone: optional('string'),
    address: optional({
      object: {
        line1: required('string'),
        city: required('string'),
        postalCode: optional('string'),
        country: required('country'),
      },
    }),
    balance: required('money'),
    active: required('boolean'),
    createdAt: required('time'),
  },
  invoice: {
    id: required('string'),
    customerId: required('string'),
    currency: required('currency'),
    status: required({ enum: ['DRAFT', 'OPEN', 'PAID', 'VOID'] }),
    lines: required({
      arrayOf: {
        sku: required('string'),
        description: optional('string'),
        quantity: required('integer'),
        unitPrice: required('money'),
      },
    }),
    total: required('money'),
    dueDate: optional('date'),
    createdAt: required('time'),
  },
  payment: {
    id: required('string'),
    invoiceId: required('string'),
    amount: required('money'),
    method: required({ enum: ['CARD', 'ACH', 'CASH', 'CHECK'] }),
    receivedAt: required('time'),
    reference: optional('string'),
  },
} satisfies Record<string, FieldSpec>;

/** Every way `data` departs from `spec`, as `path: problem`; empty when it fits exactly. */
export function fieldProblems(spec: FieldSpec, data: JsonObject, path = ''): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(data)) if (!(name in spec)) problems.push(`${path}${name}: not a field of the entity`);
  for (const [name, field] of Object.entries(spec)) {
    const value = data[name];
    if (value === undefined || value === null) {
      if (field.optional !== true) problems.push(`${path}${name}: required but ${value === null ? 'null' : 'absent'}`);
      continue;
    }
    problems.push(...valueProblems(field.type, value, `${path}${name}`));
  }
  return problems;
}

function valueProblems(type: FieldType, value: JsonValue, path: string): string[] {
  if (typeof type === 'object') {
    if ('enum' in type)
      return typeof value === 'string' && type.enum.includes(value)
        ? []
        : [`${path}: ${JSON.stringify(value)} is not one of ${type.enum.join('|')}`];
    if ('object' in type)
      return isObject(value) ? fieldProblems(type.object, value, `${path}.`) : [`${path}: not an object`];
    if (!Array.isArray(value) || value.length === 0) return [`${path}: not a non-empty array`];
    return value.flatMap((item, index) =>
      isObject(item) ? fieldProblems(type.arrayOf, item, `${path}[${index}].`) : [`${path}[${index}]: not an object`],
    );
  }
  return SCALAR_CHECKS[type](value) ? [] : [`${path}: ${JSON.stringify(value)} is not a ${type}`];
}

const SCALAR_CHECKS: Record<Exclude<FieldType, object>, (value: JsonValue) => boolean> = {
  string: (value) => typeof value === 'string' && value.length > 0,
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  money: (value) => typeof value === 'number' && Math.round(value * 100) / 100 === value,
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  boolean: (value) => typeof value === 'boolean',
  time: (value) =>
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) &&
    roundTrips(value, value),
  date: (value) =>
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && roundTrips(`${value}T00:00:00.000Z`, value),
  country: (value) => typeof value === 'string' && /^[A-Z]{2}$/.test(value),
  currency: (value) => typeof value === 'string' && /^[A-Z]{3}$/.test(value),
};

/** Date.parse rolls 2026-02-30 into March; a real date prints back as itself. */
function roundTrips(iso: string, expectedPrefix: string): boolean {
  const ms = Date.parse(iso);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(expectedPrefix);
}

function isObject(value: JsonValue): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
