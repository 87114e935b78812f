/**
 * Search keys stored in a multi-entry index, one per way a doctor looks a person up:
 * n: name, p: full pinyin (also of the given name alone, and of other readings of polyphonic
 * characters: model/name-keys.ts), i: pinyin initials (also of those readings), d: the last ID_TAIL digits of the ID number reversed
 * (so "last digits" is a prefix search), t: the last PHONE_TAIL digits of the phone reversed,
 * h: household number. A query becomes a few prefix ranges on that one index.
 *
 * The index is stored in the clear (IndexedDB has to read it), so it keeps only tails of ID and
 * phone numbers; a longer query is narrowed by its tail, then checked against the whole number,
 * which is sealed with the rest of the row (db/seal.ts).
 */
import Dexie from 'dexie';
import type { Household, Member } from '../../model/roster.ts';

export function reverse(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

export const ID_TAIL = 6;
export const PHONE_TAIL = 4;

/** The index key of an ID number: its last ID_TAIL characters, reversed. */
export const idKey = (idNumber: string) => `d:${reverse(idNumber.toUpperCase().slice(-ID_TAIL))}`;
const phoneKey = (phone: string) => `t:${reverse(phone.replace(/\D/g, '').slice(-PHONE_TAIL))}`;

type NameReadings = typeof import('../../model/name-keys.ts').nameReadings;
let nameReadings: NameReadings | null = null;

/**
 * Loads the syllable table the member keys need (model/name-keys.ts, a chunk of its own outside the
 * initial JavaScript). Every path that writes member rows awaits it first; inside a Dexie
 * transaction (the schema upgrade) through Dexie.waitFor, which keeps the transaction open.
 */
export async function searchKeysReady(): Promise<void> {
  if (nameReadings) return;
  const load = import('../../model/name-keys.ts');
  const mod = Dexie.currentTransaction ? await Dexie.waitFor(load) : await load;
  nameReadings = mod.nameReadings;
}

export function memberSearchKeys(m: Pick<Member, 'name' | 'pinyin' | 'initials' | 'idNumber' | 'phone'>): string[] {
  if (!nameReadings) throw new Error('member search keys asked before searchKeysReady()');
  const keys = new Set([`n:${m.name}`, `p:${m.pinyin}`, `i:${m.initials}`, idKey(m.idNumber)]);
  // The given name alone, and the other readings of polyphonic characters (model/name-keys.ts).
  const r = nameReadings(m);
  if (r) {
    for (const syl of r.readings) {
      keys.add(`p:${syl.join('')}`);
      keys.add(`i:${syl.map((x) => x[0]).join('')}`);
      if (syl.length > r.surname) keys.add(`p:${syl.slice(r.surname).join('')}`);
    }
  }
  if (m.phone) keys.add(phoneKey(m.phone));
  return [...keys];
}

export function householdSearchKeys(h: Pick<Household, 'number' | 'phone'>): string[] {
  const keys = [`h:${h.number}`];
  const bare = h.number.replace(/^0+(?=.)/, '');
  if (bare !== h.number) keys.push(`h:${bare}`);
  if (h.phone) keys.push(phoneKey(h.phone));
  return keys;
}

export type QueryKind = 'name' | 'pinyin' | 'initials' | 'id' | 'phone' | 'household';

/**
 * The prefix ranges a typed query stands for; `tail` is the whole typed number that a hit's ID or
 * phone must end with when the query is longer than the index keeps.
 */
export function queryPrefixes(raw: string): { kind: QueryKind; prefix: string; tail?: string }[] {
  const q = raw.trim().replace(/\s+/g, '');
  if (q === '') return [];
  if (/[\u3400-\u9fff]/.test(q)) return [{ kind: 'name', prefix: `n:${q}` }];
  if (/^[a-zA-Z]+$/.test(q)) {
    const l = q.toLowerCase();
    return [
      { kind: 'initials', prefix: `i:${l}` },
      { kind: 'pinyin', prefix: `p:${l}` },
    ];
  }
  if (/^[0-9]+[xX]?$/.test(q)) {
    const u = q.toUpperCase();
    const out: { kind: QueryKind; prefix: string; tail?: string }[] = [
      u.length > ID_TAIL ? { kind: 'id', prefix: idKey(u), tail: u } : { kind: 'id', prefix: `d:${reverse(u)}` },
    ];
    if (/^[0-9]+$/.test(u)) {
      out.push(u.length > PHONE_TAIL ? { kind: 'phone', prefix: phoneKey(u), tail: u } : { kind: 'phone', prefix: `t:${reverse(u)}` }, { kind: 'household', prefix: `h:${u}` });
    }
    return out;
  }
  return [];
}
