/** Word lists behind the generated data: places with their ISO codes, people, products. */

export interface Locale {
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** ISO 4217. */
  currency: string;
  /** Minor units of the currency (JPY has none). */
  currencyDecimals: number;
  /** Roughly how many units of the currency one USD buys, to keep prices believable. */
  perUsd: number;
  phonePattern: string;
  postalPattern: string;
  cities: readonly string[];
  streets: readonly string[];
}

/** ISO 4217 code: [minor units, units per USD]. */
const CURRENCIES = {
  USD: [2, 1],
  CAD: [2, 1.36],
  GBP: [2, 0.79],
  EUR: [2, 0.92],
  SEK: [2, 10.5],
  JPY: [0, 150],
  AUD: [2, 1.52],
} as const satisfies Record<string, readonly [number, number]>;

type LocaleRow = readonly [string, keyof typeof CURRENCIES, string, string, string, string];

// A row a locale: country, currency, phone and postal patterns, cities, streets (lists joined by '|').
const LOCALE_ROWS: readonly LocaleRow[] = [
  ['US', 'USD', '+1 999-555-9999', '99999', 'Austin|Denver|Portland|Chicago', 'Main St|Oak Ave|Pine St|Elm Rd'],
  ['CA', 'CAD', '+1 999-555-9999', 'A9A 9A9', 'Toronto|Vancouver|Montreal', 'King St W|Granville St|Rue Sherbrooke'],
  ['GB', 'GBP', '+44 20 9999 9999', 'AA9 9AA', 'London|Leeds|Bristol', 'High Street|Station Road|Church Lane'],
  ['DE', 'EUR', '+49 30 9999999', '99999', 'Berlin|Hamburg|Munich', 'Hauptstrasse|Bahnhofstrasse|Gartenweg'],
  ['FR', 'EUR', '+33 1 99 99 99 99', '99999', 'Paris|Lyon|Nantes', 'Rue de la Paix|Avenue Victor Hugo|Rue Nationale'],
  ['NL', 'EUR', '+31 20 999 9999', '9999 AA', 'Amsterdam|Utrecht|Rotterdam', 'Prinsengracht|Dorpsstraat|Kerkstraat'],
  ['SE', 'SEK', '+46 8 999 999 99', '999 99', 'Stockholm|Gothenburg|Malmo', 'Storgatan|Drottninggatan|Kungsgatan'],
  ['JP', 'JPY', '+81 3 9999 9999', '999-9999', 'Tokyo|Osaka|Sapporo', 'Chuo-dori|Meiji-dori|Sakura-dori'],
  ['AU', 'AUD', '+61 2 9999 9999', '9999', 'Sydney|Melbourne|Perth', 'George St|Collins St|Hay St'],
];

export const LOCALES: readonly Locale[] = LOCALE_ROWS.map(
  ([country, currency, phonePattern, postalPattern, cities, streets]) => ({
    country,
    currency,
    currencyDecimals: CURRENCIES[currency][0],
    perUsd: CURRENCIES[currency][1],
    phonePattern,
    postalPattern,
    cities: cities.split('|'),
    streets: streets.split('|'),
  }),
);

/** Splits a list written as words separated by white space. */
function words(list: string): readonly string[] {
  return list.trim().split(/\s+/);
}

export const FIRST_NAMES = words(`
  Ada Bruno Chloe Dmitri Elena Farah Gustav Hana
  Ivan Julia Kenji Lina Marco Nora Omar Priya
`);
export const LAST_NAMES = words(`
  Andersson Baker Costa Dubois Eriksen Fischer Garcia Hughes
  Ito Jansen Kowalski Lambert Moreau Nakamura Okafor Patel
`);
export const COMPANY_WORDS = words('Trading Logistics Bakery Studio Consulting Hardware Analytics Outfitters');

export interface Product {
  sku: string;
  description: string;
  usdPrice: number;
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'SKU-1001', description: 'Espresso beans 1 kg', usdPrice: 18.5 },
  { sku: 'SKU-1002', description: 'Paper cups, box of 500', usdPrice: 42.0 },
  { sku: 'SKU-2001', description: 'Consulting hour', usdPrice: 120.0 },
  { sku: 'SKU-2002', description: 'On-site support day', usdPrice: 880.0 },
  { sku: 'SKU-3001', description: 'Standing desk', usdPrice: 499.99 },
  { sku: 'SKU-3002', description: 'Office chair', usdPrice: 289.0 },
  { sku: 'SKU-4001', description: 'Cloud storage, 1 TB month', usdPrice: 9.99 },
  { sku: 'SKU-4002', description: 'Software licence seat', usdPrice: 35.0 },
  { sku: 'SKU-5001', description: 'Shipping, express', usdPrice: 24.95 },
];

export function localeOfCountry(country: unknown): Locale | undefined {
  return LOCALES.find((locale) => locale.country === country);
}

export function priceIn(locale: Locale, usdPrice: number): number {
  const factor = 10 ** locale.currencyDecimals;
  return Math.round(usdPrice * locale.perUsd * factor) / factor;
}
