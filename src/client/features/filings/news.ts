import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect } from 'react';
import type { FilingStatus } from '../../../model/filing.ts';
import { db } from '../../db/schema.ts';

/**
 * News of the county's review reaching the tablet by sync: a filing whose status the county changed
 * (received, in review, returned, approved, paid, rejected) since the doctor last opened it. What was
 * seen is kept per filing in the profile's own store (meta 'filingsSeen'); a filing the tablet sees for
 * the first time (a new profile's first download) counts as seen, so only changes that happen while
 * the doctor uses the tablet are news.
 */
const KEY = 'filingsSeen';
const COUNTY_STATUSES: readonly FilingStatus[] = ['received', 'in-review', 'returned', 'approved', 'paid', 'rejected'];

type Seen = Record<string, FilingStatus>;

export interface FilingNews {
  id: string;
  status: FilingStatus;
  memberId: string;
  type: string;
}

export function newsOf(filings: { id: string; status: FilingStatus }[], seen: Seen): { news: string[]; unknown: string[] } {
  const news: string[] = [];
  const unknown: string[] = [];
  for (const f of filings) {
    const was = seen[f.id];
    if (was === undefined) unknown.push(f.id);
    else if (was !== f.status && COUNTY_STATUSES.includes(f.status)) news.push(f.id);
  }
  return { news, unknown };
}

async function readSeen(): Promise<Seen> {
  return (((await db().meta.get(KEY))?.value ?? {}) as Seen) || {};
}

/** Filings with county news, newest state first; first sightings are recorded as seen on the way. */
export function useFilingNews(): FilingNews[] {
  const data = useLiveQuery(async () => {
    const d = db();
    const [filings, seen] = await Promise.all([d.filings.toArray(), readSeen()]);
    const { news, unknown } = newsOf(filings, seen);
    const byId = new Map(filings.map((f) => [f.id, f]));
    return {
      news: news.map((id) => byId.get(id)!).map((f) => ({ id: f.id, status: f.status, memberId: f.memberId, type: f.type })),
      unknown: unknown.map((id) => [id, byId.get(id)!.status] as const),
    };
  }, []);
  useEffect(() => {
    if (data && data.unknown.length) void remember(Object.fromEntries(data.unknown));
  }, [data]);
  return data?.news ?? [];
}

async function remember(entries: Seen): Promise<void> {
  const d = db();
  await d.transaction('rw', d.meta, async () => {
    const seen = await readSeen();
    await d.meta.put({ key: KEY, value: { ...seen, ...entries } });
  });
}

/** The doctor has looked at the filing as it stands. */
export function markFilingSeen(id: string, status: FilingStatus): Promise<void> {
  return remember({ [id]: status });
}
