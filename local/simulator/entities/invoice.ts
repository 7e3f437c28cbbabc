import { roundMoney, type Random } from '../random';
import type { JsonObject, JsonValue } from '../types';
import { copyData, isoDateAfter, isoTime, setOptional } from './field-values';
import type { EntityModel } from './model';
import { LOCALES, PRODUCTS, localeOfCountry, priceIn, type Locale } from './vocabulary';

const PAYMENT_TERMS_DAYS = [14, 30, 45, 60] as const;

/** invoice: id, customerId, currency, status, lines [{sku, description?, quantity, unitPrice}], total, dueDate?, createdAt. */
export const invoiceModel: EntityModel = {
  idPrefix: 'inv',
  parent: { entity: 'customer', field: 'customerId' },

  create({ id, nowMs, random, parent }) {
    if (parent === null) throw new Error('an invoice is always created for an existing customer');
    const locale = billingLocale(parent.data, random);
    const lines: JsonValue[] = [];
    for (let n = random.int(1, 4); n > 0; n--) lines.push(invoiceLine(locale, random));
    const data: JsonObject = {
      id,
      customerId: parent.id,
      currency: locale.currency,
      status: random.chance(0.6) ? 'DRAFT' : 'OPEN',
      lines,
      total: totalOf(lines),
    };
    setOptional(data, 'dueDate', random, { present: 0.85, null: 0.1 }, () =>
      isoDateAfter(nowMs, random.pick(PAYMENT_TERMS_DAYS)),
    );
    data.createdAt = isoTime(nowMs);
    return data;
  },

  update(previous, { nowMs, random }) {
    const data = copyData(previous);
    const roll = random.next();
    if (data.status === 'DRAFT' && roll < 0.4) reviseLines(data, random);
    else if (data.status === 'DRAFT') data.status = roll < 0.9 ? 'OPEN' : 'VOID';
    else if (data.status === 'OPEN' && roll < 0.75) data.status = roll < 0.6 ? 'PAID' : 'VOID';
    else data.dueDate = isoDateAfter(nowMs, random.pick(PAYMENT_TERMS_DAYS));
    return data;
  },

  schemaBreaks: [
    { kind: 'MISSING_FIELD', path: 'customerId' },
    { kind: 'MISSING_FIELD', path: 'lines' },
    { kind: 'WRONG_TYPE', path: 'total', value: '99.90' },
    { kind: 'WRONG_TYPE', path: 'lines.0.quantity', value: 2.5 },
    { kind: 'UNKNOWN_ENUM', path: 'status', value: 'OVERDUE' },
  ],
};

/** Bill in the customer's currency when the customer has an address we know. */
function billingLocale(customer: JsonObject, random: Random): Locale {
  const address = customer.address;
  const country =
    address !== null && typeof address === 'object' && !Array.isArray(address) ? address.country : undefined;
  return localeOfCountry(country) ?? random.pick(LOCALES);
}

function invoiceLine(locale: Locale, random: Random): JsonObject {
  const product = random.pick(PRODUCTS);
  const line: JsonObject = { sku: product.sku };
  setOptional(line, 'description', random, { present: 0.8, null: 0.1 }, () => product.description);
  line.quantity = random.int(1, 12);
  line.unitPrice = priceIn(locale, product.usdPrice);
  return line;
}

function reviseLines(data: JsonObject, random: Random): void {
  const lines = Array.isArray(data.lines) ? data.lines : [];
  const line = lines[random.int(0, lines.length - 1)];
  if (line !== undefined && line !== null && typeof line === 'object' && !Array.isArray(line))
    line.quantity = random.int(1, 12);
  data.lines = lines;
  data.total = totalOf(lines);
}

function totalOf(lines: readonly JsonValue[]): number {
  let total = 0;
  for (const line of lines) {
    if (line !== null && typeof line === 'object' && !Array.isArray(line))
      total += Number(line.quantity) * Number(line.unitPrice);
  }
  return roundMoney(total);
}
