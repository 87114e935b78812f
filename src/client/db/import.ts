/**
 * Bulk import of a roster (demo county, first download): one transaction per table, rows in
 * chunks so progress can be shown, search keys computed on the way in.
 */
import type { Enrolment, Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import { CunyiDb, DB_NAME, type HouseholdRow, type MemberRow } from './schema.ts';
import { householdSearchKeys, memberSearchKeys } from './search-keys.ts';

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
  try {
    await d.transaction('rw', [d.villages, d.households, d.members, d.statuses, d.enrolments, d.meta], async () => {
      await step(data.villages, (c) => d.villages.bulkPut(c));
      await step(data.households, (c) => d.households.bulkPut(c.map((h): HouseholdRow => ({ ...h, search: householdSearchKeys(h) }))));
      await step(data.members, (c) => d.members.bulkPut(c.map((m): MemberRow => ({ ...m, search: memberSearchKeys(m) }))));
      await step(data.statuses, (c) => d.statuses.bulkPut(c));
      await step(data.enrolments, (c) => d.enrolments.bulkPut(c));
    });
  } finally {
    if (own) d.close();
  }
}
