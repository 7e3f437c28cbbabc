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

export const LOCALES: readonly Locale[] = [
  {
    country: 'US',
    currency: 'USD',
    currencyDecimals: 2,
    perUsd: 1,
    phonePattern: '+1 999-555-9999',
    postalPattern: '99999',
    cities: ['Austin', 'Denver', 'Portland', 'Chicago'],
    streets: ['Main St', 'Oak Ave', 'Pine St', 'Elm Rd'],
  },
  {
    country: 'CA',
    currency: 'CAD',
    currencyDecimals: 2,
    perUsd: 1.36,
    phonePattern: '+1 999-555-9999',
    postalPattern: 'A9A 9A9',
    cities: ['Toronto', 'Vancouver', 'Montreal'],
    streets: ['King St W', 'Granville St', 'Rue Sherbrooke'],
  },
  {
    country: 'GB',
    currency: 'GBP',
    currencyDecimals: 2,
    perUsd: 0.79,
    phonePattern: '+44 20 9999 9999',
    postalPattern: 'AA9 9AA',
    cities: ['London', 'Leeds', 'Bristol'],
    streets: ['High Street', 'Station Road', 'Church Lane'],
  },
  {
    country: 'DE',
    currency: 'EUR',
    currencyDecimals: 2,
    perUsd: 0.92,
    phonePattern: '+49 30 9999999',
    postalPattern: '99999',
    cities: ['Berlin', 'Hamburg', 'Munich'],
    streets: ['Hauptstrasse', 'Bahnhofstrasse', 'Gartenweg'],
  },
  {
    country: 'FR',
    currency: 'EUR',
    currencyDecimals: 2,
    perUsd: 0.92,
    phonePattern: '+33 1 99 99 99 99',
    postalPattern: '99999',
    cities: ['Paris', 'Lyon', 'Nantes'],
    streets: ['Rue de la Paix', 'Avenue Victor Hugo', 'Rue Nationale'],
  },
  {
    country: 'NL',
    currency: 'EUR',
    currencyDecimals: 2,
    perUsd: 0.92,
    phonePattern: '+31 20 999 9999',
    postalPattern: '9999 AA',
    cities: ['Amsterdam', 'Utrecht', 'Rotterdam'],
    streets: ['Prinsengracht', 'Dorpsstraat', 'Kerkstraat'],
  },
  {
    country: 'SE',
    currency: 'SEK',
    currencyDecimals: 2,
    perUsd: 10.5,
    phonePattern: '+46 8 999 999 99',
    postalPattern: '999 99',
    cities: ['Stockholm', 'Gothenburg', 'Malmo'],
    streets: ['Storgatan', 'Drottninggatan', 'Kungsgatan'],
  },
  {
    country: 'JP',
    currency: 'JPY',
    currencyDecimals: 0,
    perUsd: 150,
    phonePattern: '+81 3 9999 9999',
    postalPattern: '999-9999',
    cities: ['Tokyo', 'Osaka', 'Sapporo'],
    streets: ['Chuo-dori', 'Meiji-dori', 'Sakura-dori'],
  },
  {
    country: 'AU',
    currency: 'AUD',
    currencyDecimals: 2,
    perUsd: 1.52,
    phonePattern: '+61 2 9999 9999',
    postalPattern: '9999',
    cities: ['Sydney', 'Melbourne', 'Perth'],
    streets: ['George St', 'Collins St', 'Hay St'],
  },
];

export const FIRST_NAMES = [
  'Ada',
  'Bruno',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farah',
  'Gustav',
  'Hana',
  'Ivan',
  'Julia',
  'Kenji',
  'Lina',
  'Marco',
  'Nora',
  'Omar',
  'Priya',
] as const;
export const LAST_NAMES = [
  'Andersson',
  'Baker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jansen',
  'Kowalski',
  'Lambert',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Patel',
] as const;
export const COMPANY_WORDS = [
  'Trading',
  'Logistics',
  'Bakery',
  'Studio',
  'Consulting',
  'Hardware',
  'Analytics',
  'Outfitters',
] as const;

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
