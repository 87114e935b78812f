/** The signed-in account on this device, its device id and sync bookkeeping, kept in the meta table. */
import { deviceId as registryDeviceId } from '../profiles/registry.ts';
import type { Role } from '../../model/sync.ts';
import { db, type CunyiDb } from '../db/schema.ts';

export interface Session {
  token: string;
  expiresAt: string;
  username: string;
  role: Role;
  areas: string[];
}

/**
 * Roles that review filings at the township or county: they work online on the review screens and
 * do not download a roster (a county's would take minutes and they never open it).
 */
export const REVIEWER_ROLES: readonly Role[] = ['township-reviewer', 'county-reviewer', 'admin'];
export const isReviewer = (role: Role | null | undefined) => role != null && REVIEWER_ROLES.includes(role);

export interface SyncState {
  checkpoint: number;
  lastSuccess: string | null;
  lastAttempt: string | null;
  lastError: string | null;
  downloaded: boolean;
}

/** The id the county knows this tablet by: one per tablet, whichever profile is open (profiles/registry.ts). */
export async function deviceId(_d?: CunyiDb): Promise<string> {
  return registryDeviceId();
}

export async function getSession(d: CunyiDb = db()): Promise<Session | null> {
  return ((await d.meta.get('session'))?.value as Session | undefined) ?? null;
}

export async function getSyncState(d: CunyiDb = db()): Promise<SyncState> {
  return ((await d.meta.get('sync'))?.value as SyncState | undefined) ?? { checkpoint: 0, lastSuccess: null, lastAttempt: null, lastError: null, downloaded: false };
}

export async function patchSyncState(patch: Partial<SyncState>, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', d.meta, async () => {
    await d.meta.put({ key: 'sync', value: { ...(await getSyncState(d)), ...patch } });
  });
}
