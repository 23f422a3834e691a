// A small seeded random generator (mulberry32): the same seed gives the same data on every machine.
// Shared by the seed and the benchmark.
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Normally distributed (Box-Muller), for clinical values. */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/**
 * A 32-bit seed for one independent stream, from the generator's seed and the stream's name and
 * numbers (FNV-1a), so that each patient and each part of a record draws from its own stream: adding
 * a part never shifts the values of another.
 */
export function streamSeed(seed: number, ...parts: (string | number)[]): number {
  let h = 2166136261 ^ (seed >>> 0);
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    }
    h = Math.imul(h ^ 0x2f, 16777619) >>> 0;
  }
  return h >>> 0;
}

/** Picks one item by weight. */
export function weightedPick<T>(rng: SeededRandom, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let x = rng.next() * total;
  for (const item of items) {
    x -= weight(item);
    if (x < 0) {
      return item;
    }
  }
  return items[items.length - 1];
}
