import type { Random } from '../random';
import type { JsonObject } from '../types';
import { copyData, fillPattern, isoTime, setOptional } from './field-values';
import type { EntityModel } from './model';
import { COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, LOCALES, type Locale } from './vocabulary';

/** customer: id, displayName, email?, phone?, address? {line1, city, postalCode?, country}, balance, active, createdAt. */
export const customerModel: EntityModel = {
  idPrefix: 'c',
  parent: null,

  create({ id, nowMs, random }) {
    const locale = random.pick(LOCALES);
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const isCompany = random.chance(0.4);
    const data: JsonObject = {
      id,
      displayName: isCompany ? `${last} ${random.pick(COMPANY_WORDS)}` : `${first} ${last}`,
    };
    setOptional(data, 'email', random, { present: 0.8, null: 0.1 }, () => emailFor(first, last, random));
    setOptional(data, 'phone', random, { present: 0.6, null: 0.2 }, () => fillPattern(locale.phonePattern, random));
    setOptional(data, 'address', random, { present: 0.75, null: 0.15 }, () => addressIn(locale, random));
    data.balance = random.chance(0.4) ? 0 : random.money(-250, 5000);
    data.active = random.chance(0.9);
    data.createdAt = isoTime(nowMs);
    return data;
  },

  update(previous, { random }) {
    const data = copyData(previous);
    const change = random.int(0, 4);
    if (change === 0) data.balance = random.money(-250, 5000);
    else if (change === 1) data.email = emailFor(random.pick(FIRST_NAMES), random.pick(LAST_NAMES), random);
    else if (change === 2)
      data.phone = random.chance(0.8) ? fillPattern(random.pick(LOCALES).phonePattern, random) : null;
    else if (change === 3) data.address = addressIn(random.pick(LOCALES), random);
    else data.active = !data.active;
    return data;
  },

  schemaBreaks: [
    { kind: 'MISSING_FIELD', path: 'displayName' },
    { kind: 'MISSING_FIELD', path: 'active' },
    { kind: 'WRONG_TYPE', path: 'balance', value: '1,204.50' },
    { kind: 'WRONG_TYPE', path: 'active', value: 'yes' },
    { kind: 'WRONG_TYPE', path: 'createdAt', value: 1767225600000 },
  ],
};

function emailFor(first: string, last: string, random: Random): string {
  const domain = random.pick(['example.com', 'example.org', 'example.net']);
  return `${first}.${last}${random.int(1, 99)}@${domain}`.toLowerCase();
}

function addressIn(locale: Locale, random: Random): JsonObject {
  const address: JsonObject = {
    line1: `${random.int(1, 250)} ${random.pick(locale.streets)}`,
    city: random.pick(locale.cities),
  };
  setOptional(address, 'postalCode', random, { present: 0.85, null: 0.1 }, () =>
    fillPattern(locale.postalPattern, random),
  );
  address.country = locale.country;
  return address;
}
