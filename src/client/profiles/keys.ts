/**
 * A profile's data key and the two ways it is kept: wrapped by a key derived from the 6-digit PIN
 * (PBKDF2-SHA-256), and wrapped by the county server's recovery key for this user and device
 * (GET /api/device-key), so a forgotten PIN costs an online sign-in, not the data. The data key
 * itself is never stored unwrapped (the demo profile's synthetic data excepted, registry.ts).
 */

/**
 * PBKDF2-SHA-256 iterations for the PIN. docs/client.md gives the measurement (npm run bench:client:
 * 68 ms in headless Chromium on the build machine; a cheap tablet assumed several times slower). A 6-digit PIN has only a
 * million values, so the real defence is the 5-attempt limit; the iterations make an offline guess
 * of every PIN cost hours instead of seconds. Stored with each wrap, so it can rise later.
 */
export const PIN_ITERATIONS = 310_000;

export interface Wrapped {
  /** base64 of the 12-byte nonce + AES-GCM ciphertext of the data key. */
  data: string;
}
export interface PinWrapped extends Wrapped {
  salt: string;
  iterations: number;
}

const b64 = (b: Uint8Array) => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
};
const unb64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
export { b64 as toBase64, unb64 as fromBase64 };

export function newDataKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

export const isPin = (pin: string) => /^[0-9]{6}$/.test(pin);

async function wrapWith(kek: CryptoKey, dataKey: Uint8Array): Promise<string> {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, kek, dataKey as Uint8Array<ArrayBuffer>));
  const out = new Uint8Array(12 + ct.length);
  out.set(nonce);
  out.set(ct, 12);
  return b64(out);
}

/** The data key, or null when the wrapping key is not the one it was wrapped with (a wrong PIN). */
async function unwrapWith(kek: CryptoKey, data: string): Promise<Uint8Array | null> {
  const bytes = unb64(data);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, kek, bytes.subarray(12)));
  } catch {
    return null;
  }
}

async function pinKey(pin: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

export async function wrapWithPin(dataKey: Uint8Array, pin: string, iterations = PIN_ITERATIONS): Promise<PinWrapped> {
  if (!isPin(pin)) throw new Error('a PIN is 6 digits');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: b64(salt), iterations, data: await wrapWith(await pinKey(pin, salt, iterations), dataKey) };
}

export async function unwrapWithPin(w: PinWrapped, pin: string): Promise<Uint8Array | null> {
  if (!isPin(pin)) return null;
  return unwrapWith(await pinKey(pin, unb64(w.salt), w.iterations), w.data);
}

async function serverKey(recoveryKey: string): Promise<CryptoKey> {
  const raw = unb64(recoveryKey);
  if (raw.length !== 32) throw new Error('the recovery key is not 32 bytes');
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function wrapWithServer(dataKey: Uint8Array, recoveryKey: string): Promise<Wrapped> {
  return { data: await wrapWith(await serverKey(recoveryKey), dataKey) };
}

export async function unwrapWithServer(w: Wrapped, recoveryKey: string): Promise<Uint8Array | null> {
  return unwrapWith(await serverKey(recoveryKey), w.data);
}
