import type { Random } from '../random';
import type { JsonObject } from '../types';
import { copyData, daysAgo, fillPattern, isoTime, setOptional } from './field-values';
import type { EntityModel } from './model';

const METHODS = ['CARD', 'ACH', 'CASH', 'CHECK'] as const;
type PaymentMethod = (typeof METHODS)[number];

/** payment: id, invoiceId, amount, method, receivedAt, reference?. */
export const paymentModel: EntityModel = {
  idPrefix: 'pay',
  // Payments are taken against invoices that were sent out, when there are any.
  parent: {
    entity: 'invoice',
    field: 'invoiceId',
    prefer: (invoice) => invoice.status === 'OPEN' || invoice.status === 'PAID',
  },

  create({ id, nowMs, random, parent }) {
    if (parent === null) throw new Error('a payment is always taken against an existing invoice');
    const total = typeof parent.data.total === 'number' && parent.data.total > 0 ? parent.data.total : 1;
    const method = random.pick(METHODS);
    const data: JsonObject = {
      id,
      invoiceId: parent.id,
      amount: random.chance(0.7) ? total : random.money(Math.min(1, total), total),
      method,
      receivedAt: isoTime(daysAgo(nowMs, random.next() * 3)),
    };
    setOptional(data, 'reference', random, { present: method === 'CASH' ? 0.2 : 0.85, null: 0.1 }, () =>
      referenceFor(method, random),
    );
    return data;
  },

  update(previous, { random }) {
    const data = copyData(previous);
    if (random.chance(0.7)) {
      data.reference = referenceFor(isMethod(data.method) ? data.method : 'CARD', random);
    } else {
      const method = random.pick(METHODS);
      data.method = method;
      data.reference = referenceFor(method, random);
    }
    return data;
  },

  schemaBreaks: [
    { kind: 'MISSING_FIELD', path: 'amount' },
    { kind: 'MISSING_FIELD', path: 'method' },
    { kind: 'WRONG_TYPE', path: 'amount', value: '12.00' },
    { kind: 'WRONG_TYPE', path: 'receivedAt', value: true },
    { kind: 'UNKNOWN_ENUM', path: 'method', value: 'CRYPTO' },
  ],
};

function isMethod(value: unknown): value is PaymentMethod {
  return METHODS.some((method) => method === value);
}

function referenceFor(method: PaymentMethod, random: Random): string {
  if (method === 'CARD') return fillPattern('ch_AAAA99AA9999', random);
  if (method === 'ACH') return fillPattern('ACH-99999999', random);
  if (method === 'CHECK') return fillPattern('CHK 999999', random);
  return fillPattern('RCPT-9999', random);
}
