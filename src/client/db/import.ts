/**
 * Bulk import of a roster (demo county, first download): one transaction per table, rows in
 * chunks so progress can be shown, search keys computed on the way in; the roster digest of the
 * work list made from the same rows.
 */
import type { Enrolment, Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import { importMarks, writeImportedDigest } from './digest.ts';
import { CunyiDb, DB_NAME, type HouseholdRow, type MemberRow } from './schema.ts';
import { clearFieldsOf, presealRows } from './seal.ts';
import { householdSearchKeys, memberSearchKeys, searchKeysReady } from './search-keys.ts';

export interface RosterData {
  villages: Village[];
  households: Household[];
  members: Member[];
  statuses: StatusRecord[];
  enrolments: Enrolment[];
}

const CHUNK = 5_000;

/**
 * Imports into `into` (a profile's store, opened with relaxed durability by the caller: the data
 * can be fetched or generated again; edits made on the tablet always use the strict connection),
 * or into a store of that name kept in the clear (tests and the raw benchmark).
 */
export async function importRoster(data: RosterData, onProgress?: (done: number, total: number) => void, into: CunyiDb | string = DB_NAME): Promise<void> {
  const own = typeof into === 'string';
  const d = own ? new CunyiDb(into, { durability: 'relaxed' }) : into;
  const total = data.villages.length + data.households.length + data.members.length + data.statuses.length + data.enrolments.length;
  let done = 0;
  const step = async <T>(rows: T[], put: (chunk: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      await put(chunk);
      done += chunk.length;
      onProgress?.(done, total);
    }
  };
  // A sealed store: rows sealed ahead with Web Crypto (db/seal.ts presealRows), before the transaction opens.
  const key = await d.photoKey();
  const ready = async <T extends object>(table: string, rows: T[]): Promise<T[]> => {
    if (!key) return rows;
    const t = d.table(table);
    const clear = clearFieldsOf(t.schema.primKey.keyPath, t.schema.indexes.map((i) => i.keyPath));
    const out: T[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) out.push(...((await presealRows(key, rows.slice(i, i + CHUNK), clear)) as T[]));
    return out;
  };
  await searchKeysReady();
  try {
    const villages = await ready('villages', data.villages);
    const households = await ready('households', data.households.map((h): HouseholdRow => ({ ...h, search: householdSearchKeys(h) })));
    const members = await ready('members', data.members.map((m): MemberRow => ({ ...m, search: memberSearchKeys(m) })));
    const statuses = await ready('statuses', data.statuses);
    const enrolments = await ready('enrolments', data.enrolments);
    performance.mark('cunyi:import-sealed');
    const marks = await d.transaction('rw', [d.villages, d.households, d.members, d.statuses, d.enrolments, d.meta], async () => {
      await step(villages, (c) => d.villages.bulkPut(c));
      await step(households, (c) => d.households.bulkPut(c));
      await step(members, (c) => d.members.bulkPut(c));
      await step(statuses, (c) => d.statuses.bulkPut(c));
      await step(enrolments, (c) => d.enrolments.bulkPut(c));
      return importMarks(d, data);
    });
    // The work list's roster digest (db/digest.ts) from the rows in hand, when the store holds just them.
    performance.mark('cunyi:import-written');
    if (marks) await writeImportedDigest(d, marks, data);
    performance.mark('cunyi:import-digest');
  } finally {
    if (own) d.close();
  }
}
