/**
 * ULIDs: 26-character, time-ordered, generated on the device (Crockford base32). Monotonic: within
 * a millisecond, and also when the clock is set back (a cheap tablet's clock corrected by the
 * network), an id sorts after the one made before it, as if the time had stood still. Nothing is
 * ordered by these ids alone: the outbox is sent in the order of its own sequence.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
const lastRandom = new Uint8Array(10);

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

export function ulid(clock: number = Date.now()): string {
  let rand: Uint8Array;
  const now = Math.max(clock, lastTime);
  if (now === lastTime) {
    // increment the previous random part by one
    rand = lastRandom;
    for (let i = rand.length - 1; i >= 0; i--) {
      if (rand[i]! < 255) {
        rand[i]!++;
        break;
      }
      rand[i] = 0;
    }
  } else {
    rand = randomBytes(10);
    lastRandom.set(rand);
    lastTime = now;
  }
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  // 80 bits of randomness → 16 characters of 5 bits
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of rand) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return time + out;
}

export function isUlid(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s);
}
