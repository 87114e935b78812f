/** The signed-in account on this device, its device id and sync bookkeeping, kept in the meta table. */
import { ulid } from '../../model/ulid.ts';
import type { Role } from '../../model/sync.ts';
import { db, type CunyiDb } from '../db/schema.ts';

export interface Session {
  token: string;
  expiresAt: string;
  username: string;
  role: Role;
  areas: string[];
}

export interface SyncState {
  checkpoint: number;
  lastSuccess: string | null;
  lastAttempt: string | null;
  lastError: string | null;
  downloaded: boolean;
}

export async function deviceId(d: CunyiDb = db()): Promise<string> {
  const row = await d.meta.get('device');
  if (row) return (row.value as { id: string }).id;
  const id = ulid();
  await d.meta.put({ key: 'device', value: { id, createdAt: new Date().toISOString() } });
  return id;
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
