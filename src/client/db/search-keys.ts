/**
 * Search keys stored in a multi-entry index, one per way a doctor looks a person up:
 * n: name, p: full pinyin, i: pinyin initials, d: ID number reversed (so "last digits" is a prefix
 * search), t: phone, h: household number. A query becomes a few prefix ranges on that one index.
 */
import type { Household, Member } from '../../model/roster.ts';

export function reverse(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

export function memberSearchKeys(m: Pick<Member, 'name' | 'pinyin' | 'initials' | 'idNumber' | 'phone'>): string[] {
  const keys = [`n:${m.name}`, `p:${m.pinyin}`, `i:${m.initials}`, `d:${reverse(m.idNumber.toUpperCase())}`];
  if (m.phone) keys.push(`t:${m.phone}`);
  return keys;
}

export function householdSearchKeys(h: Pick<Household, 'number' | 'phone'>): string[] {
  const keys = [`h:${h.number}`];
  const bare = h.number.replace(/^0+(?=.)/, '');
  if (bare !== h.number) keys.push(`h:${bare}`);
  if (h.phone) keys.push(`t:${h.phone}`);
  return keys;
}

export type QueryKind = 'name' | 'pinyin' | 'initials' | 'id' | 'phone' | 'household';

/** The prefix ranges a typed query stands for. */
export function queryPrefixes(raw: string): { kind: QueryKind; prefix: string }[] {
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
    const out: { kind: QueryKind; prefix: string }[] = [{ kind: 'id', prefix: `d:${reverse(u)}` }];
    if (/^[0-9]+$/.test(u)) {
      out.push({ kind: 'phone', prefix: `t:${u}` }, { kind: 'household', prefix: `h:${u}` });
    }
    return out;
  }
  return [];
}
