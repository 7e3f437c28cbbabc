/**
 * Seeded pseudo-random numbers: the simulator's only source of randomness, so a seed
 * reproduces a run. Each concern draws from its own named stream (sfc32 seeded by a
 * string hash of seed + stream name), so turning a fault on does not shift the data.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`; always consumes exactly one draw. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An amount in [min, max] rounded to 2 decimals. */
  money(min: number, max: number): number;
}

export function createRandom(seed: number, stream: string): Random {
  return new Sfc32Random(hashSeed(`${seed}:${stream}`));
}

export function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** xmur3 string hash: spreads a short seed string over four 32-bit words. */
function hashSeed(text: string): [number, number, number, number] {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const nextWord = (): number => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return h >>> 0;
  };
  return [nextWord(), nextWord(), nextWord(), nextWord()];
}

class Sfc32Random implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor([a, b, c, d]: [number, number, number, number]) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('cannot pick from an empty list');
    return item;
  }

  money(min: number, max: number): number {
    return roundMoney(min + this.next() * (max - min));
  }
}
