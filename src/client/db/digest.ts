/**
 * The roster as the work list and 村情 read it, kept compact: for each member only its id,
 * household, village, state and insurance; for each household its id and village; the statuses and
 * enrolments whole. Opening 100,000 sealed member rows one by one costs seconds (one AES-GCM key
 * schedule and decryption per row); the digest is one row, sealed as a whole with Web Crypto, read
 * in one go.
 *
 * Freshness without touching any write path: the stamp middleware below gives every member,
 * household, status and enrolment row an indexed, increasing stamp `chg` on each write, whoever
 * writes it (roster edits, pulls, imports). The digest remembers the highest stamp and the row count
 * of each table it was made from; a read compares them with the index (keys only, nothing opened),
 * opens only the rows written since, and makes the digest again from scratch when a count shows a
 * deletion. The stamp is not personal; it stays out of every row the app reads.
 */
import type { DBCore, DBCoreCursor, Middleware } from 'dexie';
import type { Enrolment, Household, Member, StatusRecord } from '../../model/roster.ts';
import type { CunyiDb } from './schema.ts';
import { mappedCursor } from './seal.ts';

/** The tables the digest is made from, and the stamp each of their rows carries. */
export const DIGEST_TABLES = ['members', 'households', 'statuses', 'enrolments'] as const;
type DigestTable = (typeof DIGEST_TABLES)[number];
export const STAMP = 'chg';

export type DigestMember = Pick<Member, 'id' | 'householdId' | 'villageId' | 'state' | 'insured'>;
export type DigestHousehold = Pick<Household, 'id' | 'villageId'>;

export type DigestStatus = Pick<StatusRecord, 'id' | 'memberId' | 'from' | 'poverty' | 'createdAt'>;
export type DigestEnrolment = Pick<Enrolment, 'id' | 'memberId' | 'villageId' | 'icd' | 'category' | 'certifiedOn' | 'endedOn'>;

export interface Digest {
  members: DigestMember[];
  households: DigestHousehold[];
  statuses: DigestStatus[];
  enrolments: DigestEnrolment[];
}

/** What a stored digest was made from: per table, the highest stamp and the number of rows. */
type Marks = Record<DigestTable, { stamp: number; count: number }>;

export interface DigestRow {
  id: 'care';
  marks: Marks;
  /** The digest as JSON, sealed with the profile's data key when the store is sealed (nonce, then ciphertext). */
  blob: Uint8Array;
}

let last = 0;
/** An increasing stamp: the clock in microseconds, never below one given before (a clock set back does not go back here). */
function nextStamp(): number {
  last = Math.max(last + 1, Date.now() * 1000);
  return last;
}
/** Raises the floor of the stamps to what the store holds (on opening: a clock set back since). */
export function stampFloor(n: number): void {
  if (n > last) last = n;
}

const STAMPED = new Set<string>(DIGEST_TABLES);

function strip(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && STAMP in v) {
    const { [STAMP]: _s, ...rest } = v as Record<string, unknown>;
    return rest;
  }
  return v;
}

/** The cursor with the stamp left out of its value. */
const stripCursor = (cursor: DBCoreCursor): DBCoreCursor => mappedCursor(cursor, strip);

/** The stamp middleware: above the seal (the stamp is an index key, kept in the clear). */
export function stampMiddleware(): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'cunyi-stamp',
    level: -5,
    create(down) {
      return {
        ...down,
        table(name) {
          const t = down.table(name);
          if (!STAMPED.has(name)) return t;
          return {
            ...t,
            mutate(req) {
              if (req.type === 'add' || req.type === 'put') {
                const s = nextStamp();
                return t.mutate({ ...req, values: req.values.map((v: Record<string, unknown>) => ({ ...v, [STAMP]: s })) } as typeof req);
              }
              return t.mutate(req);
            },
            get: (req) => t.get(req).then(strip),
            getMany: (req) => t.getMany(req).then((vs) => vs.map(strip)),
            query: (req) => t.query(req).then((res) => (req.values === false ? res : { ...res, result: res.result.map(strip) })),
            openCursor: (req) => t.openCursor(req).then((c) => (c && req.values !== false ? stripCursor(c) : c)),
          };
        },
      };
    },
  };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const slimMember = (m: Member): DigestMember => ({ id: m.id, householdId: m.householdId, villageId: m.villageId, state: m.state, insured: m.insured });
const slimHousehold = (h: Household): DigestHousehold => ({ id: h.id, villageId: h.villageId });
const slimStatus = (s: StatusRecord): DigestStatus => ({ id: s.id, memberId: s.memberId, from: s.from, poverty: s.poverty, createdAt: s.createdAt });
const slimEnrolment = (e: Enrolment): DigestEnrolment => ({ id: e.id, memberId: e.memberId, villageId: e.villageId, icd: e.icd, category: e.category, certifiedOn: e.certifiedOn, endedOn: e.endedOn });

const enc = new TextEncoder();
const dec = new TextDecoder();

async function sealJson(d: CunyiDb, value: unknown): Promise<Uint8Array> {
  const bytes = enc.encode(JSON.stringify(value));
  const key = await d.photoKey();
  if (!key) return bytes;
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, bytes));
  const out = new Uint8Array(12 + ct.length);
  out.set(nonce, 0);
  out.set(ct, 12);
  return out;
}

async function openJson<T>(d: CunyiDb, blob: Uint8Array): Promise<T | null> {
  const key = await d.photoKey();
  try {
    const plain = key ? new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: blob.subarray(0, 12) as Uint8Array<ArrayBuffer> }, key, blob.subarray(12) as Uint8Array<ArrayBuffer>)) : blob;
    return JSON.parse(dec.decode(plain)) as T;
  } catch {
    return null; // made under another key or damaged: made again
  }
}

/** The highest stamp and the count of each table, from the indexes alone. */
export async function marksNow(d: CunyiDb): Promise<Marks> {
  const out = {} as Marks;
  await Promise.all(
    DIGEST_TABLES.map(async (name) => {
      const t = d.table(name);
      const [stamp, count] = await Promise.all([t.orderBy(STAMP).lastKey(), t.count()]);
      out[name] = { stamp: typeof stamp === 'number' ? stamp : 0, count };
    }),
  );
  return out;
}

/** Rows of a table written after a stamp (all of them from 0), opened. */
function since<T>(d: CunyiDb, name: DigestTable, stamp: number): Promise<T[]> {
  const t = d.table(name);
  return (stamp === 0 ? t.toArray() : t.where(STAMP).above(stamp).toArray()) as Promise<T[]>;
}

/**
 * The rows in id order with the changed ones put in their place (a new array; `base` is left as it
 * is: the work list indexes arrays by identity). A few rows changed, the usual case after an edit:
 * a copy and a binary search each, not a map and a sort of 100,000 rows.
 */
function merge<T extends { id: string }>(base: T[], changed: T[]): T[] {
  if (changed.length === 0) return base;
  if (changed.length > 64) {
    const m = new Map(base.map((r) => [r.id, r]));
    for (const r of changed) m.set(r.id, r);
    return [...m.values()].sort(byId);
  }
  const out = base.slice();
  for (const r of changed) {
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (out[mid]!.id < r.id) lo = mid + 1;
      else hi = mid;
    }
    if (lo < out.length && out[lo]!.id === r.id) out[lo] = r;
    else out.splice(lo, 0, r);
  }
  return out;
}

/** The digest in memory per open store, with the marks it is of and how many rows it took in since it was last stored. */
const inMemory = new WeakMap<CunyiDb, { marks: Marks; digest: Digest; unsaved: number }>();
/** Rows taken in after which the digest is stored again (a store opened later opens no more than these). */
const SAVE_AFTER = 1_000;

/** Kept in memory until the store is closed (a profile locked or left): then it is forgotten. */
function remember(d: CunyiDb, entry: { marks: Marks; digest: Digest; unsaved: number }): void {
  if (!inMemory.has(d)) d.on('close', () => inMemory.delete(d));
  inMemory.set(d, entry);
}

/** The digest being stored, per store (tests wait for it). */
const storing = new WeakMap<CunyiDb, Promise<void>>();

/**
 * Stores the digest after the read that made it, in a task of its own: the screens read through a
 * liveQuery, where Dexie refuses any write, and a stored digest only saves a later opening work.
 * Failing to store it loses nothing (the next opening makes it again).
 */
function storeLater(d: CunyiDb, marks: Marks, digest: Digest): void {
  // After the one before (each stored pair is consistent in itself; the last made is the last stored).
  const done = digestStored(d).then(() => new Promise<void>((resolve) => {
    setTimeout(() => {
      void sealJson(d, digest)
        .then((blob) => d.digest.put({ id: 'care', marks, blob }))
        .catch(() => undefined)
        .then(() => resolve());
    }, 0);
  }));
  storing.set(d, done);
}

/** Settles once the digest last made has been stored (or failed to be). */
export function digestStored(d: CunyiDb): Promise<void> {
  return storing.get(d) ?? Promise.resolve();
}

const same = (a: Marks, b: Marks) => DIGEST_TABLES.every((n) => a[n].stamp === b[n].stamp && a[n].count === b[n].count);

/**
 * The digest of the store as it is now (rows in id order, as a table reads them), brought up to
 * date first when something was written since it was made. Kept in memory while the store is open,
 * so a read with nothing written since opens nothing at all.
 */
export async function readDigest(d: CunyiDb, ignoreStored = false): Promise<Digest> {
  const cached = ignoreStored ? undefined : inMemory.get(d);
  const { row, marks } = await d.transaction('r', [d.digest, ...DIGEST_TABLES.map((n) => d.table(n))], async () => ({ row: cached || ignoreStored ? undefined : await d.digest.get('care'), marks: await marksNow(d) }));
  for (const n of DIGEST_TABLES) stampFloor(marks[n].stamp);
  let have = cached ?? null;
  if (!have && row) {
    const digest = await openJson<Digest>(d, row.blob);
    if (digest) have = { marks: row.marks, digest, unsaved: 0 };
  }
  if (have && same(have.marks, marks)) {
    remember(d, have);
    return have.digest;
  }
  const from = (n: DigestTable) => (have ? have.marks[n].stamp : 0);
  const read = await d.transaction('r', DIGEST_TABLES.map((n) => d.table(n)), async () => {
    const [members, households, statuses, enrolments] = await Promise.all([
      since<Member>(d, 'members', from('members')),
      since<Household>(d, 'households', from('households')),
      since<StatusRecord>(d, 'statuses', from('statuses')),
      since<Enrolment>(d, 'enrolments', from('enrolments')),
    ]);
    return { members, households, statuses, enrolments, marks: await marksNow(d) };
  });
  const base = have?.digest;
  const next: Digest = {
    members: merge(base?.members ?? [], read.members.map(slimMember)),
    households: merge(base?.households ?? [], read.households.map(slimHousehold)),
    statuses: merge(base?.statuses ?? [], read.statuses.map(slimStatus)),
    enrolments: merge(base?.enrolments ?? [], read.enrolments.map(slimEnrolment)),
  };
  // A count other than the rows in hand: something was deleted (or written during the read). From scratch.
  if (have && DIGEST_TABLES.some((n) => next[n].length !== read.marks[n].count)) {
    inMemory.delete(d);
    return readDigest(d, true);
  }
  const taken = DIGEST_TABLES.reduce((sum, n) => sum + read[n].length, 0);
  const entry = { marks: read.marks, digest: next, unsaved: (have?.unsaved ?? 0) + taken };
  if (!have || entry.unsaved >= SAVE_AFTER) {
    storeLater(d, read.marks, next);
    entry.unsaved = 0;
  }
  remember(d, entry);
  return next;
}

/**
 * After a bulk import, inside its transaction: the marks of the store, and whether it holds exactly
 * the imported rows (then the digest can be made from them, with nothing opened).
 */
export async function importMarks(d: CunyiDb, data: { [K in DigestTable]: readonly unknown[] }): Promise<Marks | null> {
  const marks = await marksNow(d);
  return DIGEST_TABLES.every((n) => marks[n].count === data[n].length) ? marks : null;
}

/** The digest made from the rows just imported (the store holds exactly them, as importMarks said). */
export async function writeImportedDigest(d: CunyiDb, marks: Marks, data: { members: readonly Member[]; households: readonly Household[]; statuses: readonly StatusRecord[]; enrolments: readonly Enrolment[] }): Promise<void> {
  const digest: Digest = {
    members: data.members.map(slimMember).sort(byId),
    households: data.households.map(slimHousehold).sort(byId),
    statuses: data.statuses.map(slimStatus).sort(byId),
    enrolments: data.enrolments.map(slimEnrolment).sort(byId),
  };
  await d.digest.put({ id: 'care', marks, blob: await sealJson(d, digest) });
  remember(d, { marks, digest, unsaved: 0 });
}
