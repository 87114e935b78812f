/**
 * Search from every screen: by name, full pinyin, pinyin initials ("zjg" → 张建国), the last digits
 * of an ID number, phone, household number. Each way is a prefix range on one multi-entry index,
 * so a query over 100,000 members reads only the matching index entries.
 */
import { db, type CunyiDb, type HouseholdRow, type MemberRow } from './schema.ts';
import { queryPrefixes, type QueryKind } from './search-keys.ts';

export interface SearchHit {
  kind: QueryKind;
  member: MemberRow | null;
  household: HouseholdRow | null;
}

export async function search(query: string, limit = 30, d: CunyiDb = db()): Promise<SearchHit[]> {
  const prefixes = queryPrefixes(query);
  if (prefixes.length === 0) return [];
  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  const results = await Promise.all(
    prefixes.map(async (p) => {
      if (p.kind === 'household') {
        const hs = await d.households.where('search').startsWith(p.prefix).limit(limit).toArray();
        return hs.map((h) => ({ kind: p.kind, member: null, household: h }));
      }
      // A number longer than the index keeps: the tail's candidates, then the whole number (sealed in the row).
      const digits = (v: string | null | undefined) => (p.kind === 'phone' ? (v ?? '').replace(/\D/g, '') : (v ?? '').toUpperCase());
      const ends = (v: string | null | undefined) => !p.tail || digits(v).endsWith(p.tail);
      const field = p.kind === 'phone' ? 'phone' : 'idNumber';
      const ms = p.tail
        ? await d.members.where('search').startsWith(p.prefix).distinct().filter((m) => ends(m[field])).limit(limit).toArray()
        : await d.members.where('search').startsWith(p.prefix).distinct().limit(limit).toArray();
      const phoneHouseholds =
        p.kind === 'phone'
          ? p.tail
            ? await d.households.where('search').startsWith(p.prefix).filter((h) => ends(h.phone)).limit(limit).toArray()
            : await d.households.where('search').startsWith(p.prefix).limit(limit).toArray()
          : [];
      return [...ms.map((m) => ({ kind: p.kind, member: m, household: null })), ...phoneHouseholds.map((h) => ({ kind: p.kind, member: null, household: h }))];
    }),
  );
  for (const list of results) {
    for (const h of list) {
      const key = h.member ? `m${h.member.id}` : `h${h.household!.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hits.push(h);
    }
  }
  // Active members first, then by name.
  hits.sort((a, b) => rank(a) - rank(b));
  return hits.slice(0, limit);
}

function rank(h: SearchHit): number {
  if (h.member) return h.member.state === 'active' ? 0 : 2;
  return 1;
}
