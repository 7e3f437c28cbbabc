import type { Type } from 'avsc';

/** A small seeded PRNG (mulberry32): the same corpus on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** ISO-8601 instants in every form the source may send: with or without millis, Z or offsets. */
export function isoTimestamp(random: () => number): string {
  const pick = random();
  const year =
    pick < 0.05
      ? 1900 + Math.floor(random() * 70)
      : pick < 0.1
        ? 1000 + Math.floor(random() * 9000)
        : 1970 + Math.floor(random() * 100);
  const millisPart = [
    '',
    `.${pad(Math.floor(random() * 1000), 3)}`,
    `.${Math.floor(random() * 10)}`,
    `.${pad(Math.floor(random() * 100), 2)}`,
  ][Math.floor(random() * 4)];
  const zone =
    random() < 0.6
      ? 'Z'
      : `${random() < 0.5 ? '+' : '-'}${pad(Math.floor(random() * 15), 2)}:${pad([0, 15, 30, 45][Math.floor(random() * 4)]!, 2)}`;
  const day = 1 + Math.floor(random() * 31);
  return `${pad(year, 4)}-${pad(1 + Math.floor(random() * 12), 2)}-${pad(day, 2)}T${pad(Math.floor(random() * 24), 2)}:${pad(Math.floor(random() * 60), 2)}:${pad(Math.floor(random() * 60), 2)}${millisPart}${zone}`;
}

/** Calendar days, including leap days and the days that do not exist (the schema refuses them). */
export function isoDate(random: () => number): string {
  const year = random() < 0.1 ? Math.floor(random() * 10000) : 1950 + Math.floor(random() * 150);
  return `${pad(year, 4)}-${pad(1 + Math.floor(random() * 12), 2)}-${pad(1 + Math.floor(random() * 31), 2)}`;
}

const TEXTS = [
  '',
  'a',
  'Ada Lovelace & Co. Ltd',
  'Zürich',
  '東京都',
  '😀 emoji',
  'x'.repeat(65),
  'ü'.repeat(40),
  '\u0000',
];

/** A value of any Avro type, walking the compiled type: the corpus covers every schema as it is. */
export function valueOf(type: Type, random: () => number): unknown {
  const t = type as unknown as {
    typeName: string;
    types?: Type[];
    fields?: { name: string; type: Type }[];
    itemsType?: Type;
    symbols?: string[];
  };
  switch (t.typeName) {
    case 'logical:timestamp-millis':
      return random() < 0.05 ? new Date(Math.floor(random() * 4e12)) : isoTimestamp(random);
    case 'logical:date':
      return isoDate(random);
    case 'union:unwrapped':
      return random() < 0.3 ? null : valueOf(t.types!.find((b) => b.typeName !== 'null')!, random);
    case 'record':
      return Object.fromEntries(t.fields!.map((f) => [f.name, valueOf(f.type, random)]));
    case 'array':
      return Array.from({ length: Math.floor(random() * 4) }, () => valueOf(t.itemsType!, random));
    case 'enum':
      return t.symbols![Math.floor(random() * t.symbols!.length)];
    case 'string':
      return random() < 0.5 ? TEXTS[Math.floor(random() * TEXTS.length)] : `s-${Math.floor(random() * 1e9)}`;
    case 'int':
      return [0, -1, 1, 2147483647, -2147483648, Math.floor(random() * 1000)][Math.floor(random() * 6)];
    case 'long':
      return Math.floor((random() - 0.5) * 2 ** 53);
    case 'double':
      return [0, -0, 1.5, 1e308, -1e-308, (random() - 0.5) * 1e6][Math.floor(random() * 6)];
    case 'boolean':
      return random() < 0.5;
    default:
      throw new Error(`corpus has no generator for ${t.typeName}`);
  }
}
