/**
 * Seeded randomness and calendar arithmetic for the demo generator: the same seed gives the same
 * county on every machine and in the browser.
 */
import { civilDay, isoOf } from '../days.ts';

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded through splitmix32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = 1;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.d = (this.d + 1) | 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Index into cumulative weights (the last one is the total). */
  weightedIndex(cumulative: ArrayLike<number>): number {
    const x = this.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** One of the keys of a weight table. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let x = this.next() * total;
    for (const k of keys) {
      x -= weights[k];
      if (x < 0) return k;
    }
    return keys[keys.length - 1]!;
  }
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Deterministic ULID-shaped ids: the time part from `nowMs`, the 80-bit random part drawn once from
 * the seed and then counted up by one per id, as a monotonic ULID generator does within one
 * millisecond. So ids are unique, sort in creation order, and the same seed gives the same ids.
 */
export function seededIds(seed: number, nowMs: number): () => string {
  const rng = new Rng(seed ^ 0x5eed1d5);
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let high = '';
  for (let i = 0; i < 10; i++) high += CROCKFORD[rng.int(0, 31)];
  const prefix = time + high;
  // The low 30 bits start below 2^29, so at least 2^29 ids follow before they would carry.
  let low = rng.int(0, (1 << 29) - 1);
  return () => {
    if (low >= 1 << 30) throw new Error('demo id space exhausted');
    let v = low++;
    let tail = '';
    for (let i = 0; i < 6; i++) {
      tail = CROCKFORD[v & 31]! + tail;
      v >>>= 5;
    }
    return prefix + tail;
  };
}

/** Days since 1970-01-01 of a date, and back (src/model/days.ts). */
export const dayNumber = civilDay;
export const isoDay = isoOf;

export function yearOfDay(z: number): number {
  return Number(isoDay(z).slice(0, 4));
}

/** Whole years from day `from` to day `to` (an age). */
export function yearsBetween(from: number, to: number): number {
  const a = isoDay(from);
  const b = isoDay(to);
  let years = Number(b.slice(0, 4)) - Number(a.slice(0, 4));
  if (b.slice(5) < a.slice(5)) years--;
  return years;
}
