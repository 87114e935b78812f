/**
 * Encryption at rest for a profile's store: a Dexie DBCore middleware that keeps in each stored row
 * only its keys and indexed fields in the clear (what IndexedDB needs to find it) and everything
 * else as one AES-256-GCM sealed field `$` under the profile's data key.
 *
 * Written by hand on @noble/ciphers (synchronous AES-GCM), not on Web Crypto: an IndexedDB
 * transaction commits as soon as it waits on anything but a request of its own, and every
 * crypto.subtle call is a promise, so sealing inside a Dexie transaction can only be synchronous.
 * Photos are large and written outside transactions, so they are sealed with Web Crypto
 * (sealBlob/openBlob) before their row is stored, and their `blob` field passes through untouched.
 *
 * What stays readable, by table, is the list of indexes in schema.ts; docs/client.md lists it.
 */
import { gcm } from '@noble/ciphers/aes.js';
import type { DBCore, DBCoreCursor, DBCoreTable, Middleware } from 'dexie';

/** The sealed field of a stored row: 12-byte nonce, then ciphertext and tag. */
export const SEALED = '$';
/**
 * Fields kept outside the sealed part, as stored: photos (sealed by their writer) and the sealed
 * field itself of a row sealed ahead of its write (presealRows: a bulk import).
 */
const PASS_THROUGH = new Set(['blob', SEALED]);

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface Sealer {
  seal(row: Record<string, unknown>, clear: ReadonlySet<string>): Record<string, unknown>;
  open(row: unknown): unknown;
}

/** A row's fields kept as stored (keys, indexes, pass-through), and the rest to seal (null: nothing). */
function split(row: Record<string, unknown>, clear: ReadonlySet<string>): { out: Record<string, unknown>; secret: Record<string, unknown> | null } {
  const out: Record<string, unknown> = {};
  let secret: Record<string, unknown> | null = null;
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (clear.has(k) || PASS_THROUGH.has(k)) out[k] = v;
    else if (v !== undefined) (secret ??= {})[k] = v;
  }
  return { out, secret };
}

/** The sealed field: the 12-byte nonce, then the ciphertext with its tag. */
function joined(nonce: Uint8Array, ct: Uint8Array): Uint8Array {
  const sealed = new Uint8Array(12 + ct.length);
  sealed.set(nonce, 0);
  sealed.set(ct, 12);
  return sealed;
}

export function sealer(key: Uint8Array): Sealer {
  if (key.length !== 32) throw new Error('a data key is 32 bytes');
  return {
    seal(row, clear) {
      const { out, secret } = split(row, clear);
      if (secret === null) return out;
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      out[SEALED] = joined(nonce, gcm(key, nonce).encrypt(enc.encode(JSON.stringify(secret))));
      return out;
    },
    open(row) {
      if (row === null || typeof row !== 'object') return row;
      const r = row as Record<string, unknown>;
      const sealed = r[SEALED];
      // A row written before the store was sealed (it is sealed again on its next write).
      if (!(sealed instanceof Uint8Array)) return row;
      const plain = gcm(key, sealed.subarray(0, 12)).decrypt(sealed.subarray(12));
      const out: Record<string, unknown> = { ...(JSON.parse(dec.decode(plain)) as Record<string, unknown>) };
      for (const k of Object.keys(r)) if (k !== SEALED) out[k] = r[k];
      return out;
    },
  };
}

/** The top-level fields a table's keys and indexes read (a compound or dotted key path by its first part). */
export function clearFieldsOf(primaryKey: null | string | string[] | undefined, indexes: readonly (null | string | string[] | undefined)[]): Set<string> {
  const out = new Set<string>();
  const add = (p: null | string | string[] | undefined) => {
    if (p == null) return;
    for (const s of Array.isArray(p) ? p : [p]) out.add(s.split('.')[0]!);
  };
  add(primaryKey);
  for (const i of indexes) add(i);
  return out;
}

const clearFields = (table: DBCoreTable) => clearFieldsOf(table.schema.primaryKey.keyPath, table.schema.indexes.map((i) => i.keyPath));

/**
 * Rows sealed ahead of their write with Web Crypto, in the format of the middleware (nonce, then
 * AES-GCM ciphertext and tag: the same bytes either way), for a bulk import: Web Crypto runs off
 * the main thread and needs no key schedule per row, so a 100,000-member download is sealed in a
 * fraction of the time; the middleware passes the sealed field through as it is.
 */
export async function presealRows<T extends object>(key: CryptoKey, rows: readonly T[], clear: ReadonlySet<string>): Promise<Record<string, unknown>[]> {
  return Promise.all(
    rows.map(async (row) => {
      const { out, secret } = split(row as Record<string, unknown>, clear);
      if (secret === null) return out;
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      out[SEALED] = joined(nonce, new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, enc.encode(JSON.stringify(secret)))));
      return out;
    }),
  );
}

/** The cursor with its value opened. */
function openCursor(cursor: DBCoreCursor, s: Sealer): DBCoreCursor {
  return mappedCursor(cursor, (v) => s.open(v));
}

/**
 * A cursor whose value is `map` of the underlying one, the same object on every read of one
 * position (a caller may change it and write it back). A Proxy, not Object.create: IndexedDB's own
 * cursor (which Dexie's bottom layer hands up) refuses its getters and methods on any other `this`.
 */
export function mappedCursor(cursor: DBCoreCursor, map: (value: unknown) => unknown): DBCoreCursor {
  let at: unknown = undefined;
  let mapped: unknown = undefined;
  return new Proxy(cursor, {
    get(target, prop) {
      if (prop === 'value') {
        const v = target.value;
        if (v !== at) {
          at = v;
          mapped = map(v);
        }
        return mapped;
      }
      if (prop === 'next') return () => target.next().then((c) => (c ? mappedCursor(c, map) : c));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The middleware, below every one of Dexie's own (so hooks, live queries and caches see plain rows). */
export function sealMiddleware(key: Uint8Array): Middleware<DBCore> {
  const s = sealer(key);
  return {
    stack: 'dbcore',
    name: 'cunyi-seal',
    level: -10,
    create(down) {
      return {
        ...down,
        table(name) {
          const t = down.table(name);
          const clear = clearFields(t);
          return {
            ...t,
            mutate(req) {
              if (req.type === 'add' || req.type === 'put') {
                return t.mutate({ ...req, values: req.values.map((v: Record<string, unknown>) => s.seal(v, clear)) } as typeof req);
              }
              return t.mutate(req);
            },
            get: (req) => t.get(req).then((v) => s.open(v)),
            getMany: (req) => t.getMany(req).then((vs) => vs.map((v) => s.open(v))),
            query: (req) => t.query(req).then((res) => (req.values === false ? res : { ...res, result: res.result.map((v) => s.open(v)) })),
            openCursor: (req) => t.openCursor(req).then((c) => (c && req.values !== false ? openCursor(c, s) : c)),
          };
        },
      };
    },
  };
}

/** A photo sealed for storage (nonce then ciphertext), with Web Crypto. */
export async function sealBlob(key: CryptoKey | null, blob: Blob): Promise<Blob> {
  if (!key) return blob;
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, await blob.arrayBuffer());
  return new Blob([nonce, ct], { type: 'application/octet-stream' });
}

/** The photo as it was taken, from its sealed form (`mime` is its real type). */
export async function openBlob(key: CryptoKey | null, blob: Blob, mime: string, sealed: boolean): Promise<Blob> {
  if (!key || !sealed) return blob;
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, key, bytes.subarray(12));
  return new Blob([plain], { type: mime });
}
