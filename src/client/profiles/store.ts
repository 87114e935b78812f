/**
 * Which profile is open, and whether it is locked: the state the app's gate (Gate.tsx) renders.
 *
 * - blank: no profile open (first run, or "sign in to another account"): the welcome and sign-in
 *   screens, on a store that is never written;
 * - locked: a profile chosen but its key not in memory (at start, after five wrong PINs) or no
 *   profile chosen yet among several (the picker);
 * - open: the profile's store is open under its key; `overlay` hides the screen behind the PIN
 *   (idle, back from the background, "lock now") while the key and any half-filled form stay.
 */
import { useSyncExternalStore } from 'react';
import { CunyiDb, db, useDb } from '../db/schema.ts';
import { api, ApiError } from '../sync/api.ts';
import { syncSoon } from '../sync/engine.ts';
import { setWipeHandler } from '../sync/wipe.ts';
import { fromBase64, unwrapWithServer } from './keys.ts';
import {
  activeProfileId,
  adoptLegacyStore,
  checkPin,
  demoProfile,
  listProfiles,
  openStore,
  registry,
  removeProfile,
  saveRecoveryWrap,
  setActiveProfile,
  type ProfileRow,
  type WipeNotice,
} from './registry.ts';

export type Phase = 'booting' | 'blank' | 'locked' | 'open';

export interface GateState {
  phase: Phase;
  /** The open or chosen profile (null: the picker, or blank). */
  profile: ProfileRow | null;
  overlay: boolean;
  /** Bumped on every change of store, so the app below remounts on its new store. */
  epoch: number;
  /** Where the blank app is sent (null: it stays at the address it was opened with). */
  start: '/welcome' | '/login' | null;
}

let state: GateState = { phase: 'booting', profile: null, overlay: false, epoch: 0, start: null };
const listeners = new Set<() => void>();
let dataKey: Uint8Array | null = null;

/** Tells the service worker which store is open, for Background Sync (pwa/sw.ts), or that none is. */
function tellWorker(open: { dbName: string; key: Uint8Array } | null): void {
  const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker?.controller : null;
  sw?.postMessage(open ? { type: 'profile-open', ...open } : { type: 'profile-closed' });
}

function set(next: Partial<GateState>, newStore = false): void {
  if (newStore && next.phase !== 'open') tellWorker(null);
  state = { ...state, ...next, epoch: newStore ? state.epoch + 1 : state.epoch };
  for (const l of listeners) l();
}

export function gateState(): GateState {
  return state;
}

export function useGate(): GateState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

/** The profile the app shows now (null in the blank app). */
export function currentProfile(): ProfileRow | null {
  return state.phase === 'open' ? state.profile : null;
}

/** At start: the single-user store adopted, then the last profile used (the demo opens at once, an account asks its PIN). */
export async function boot(): Promise<void> {
  await adoptLegacyStore();
  const profiles = await listProfiles();
  const id = await activeProfileId();
  const p = profiles.find((x) => x.id === id) ?? null;
  if (p?.kind === 'demo') return enter(p, fromBase64(p.keys.demo!));
  if (p) return set({ phase: 'locked', profile: p, overlay: false });
  if (profiles.length === 0) return toBlank(null);
  set({ phase: 'locked', profile: null, overlay: false });
}

/** Opens a profile's store under its key and shows the app on it. */
export async function enter(p: ProfileRow, key: Uint8Array, opened?: CunyiDb): Promise<void> {
  const d = opened ?? (await openStore(p, key));
  useDb(d);
  dataKey = key;
  tellWorker({ dbName: p.dbName, key });
  const usedAt = new Date().toISOString();
  await registry().profiles.update(p.id, { usedAt });
  await setActiveProfile(p.id);
  set({ phase: 'open', profile: { ...p, usedAt }, overlay: false }, true);
  if (p.kind === 'account') {
    syncSoon();
    if (!p.keys.server) void ensureRecoveryWrap();
  }
}

/** The blank app (welcome or sign-in), no profile open. */
export function toBlank(start: '/welcome' | '/login' | null): void {
  useDb(null);
  dataKey = null;
  set({ phase: 'blank', profile: null, overlay: false, start }, true);
}

/** Chooses a profile on the picker: the demo opens, an account asks its PIN. */
export async function choose(id: string | null): Promise<void> {
  if (id === null) return set({ phase: 'locked', profile: null, overlay: false });
  const p = await registry().profiles.get(id);
  if (!p) return;
  if (p.kind === 'demo') return enter(p, fromBase64(p.keys.demo!));
  set({ phase: 'locked', profile: p, overlay: false });
}

/** Closes the open profile and shows the picker (nothing is deleted). */
export async function switchUser(): Promise<void> {
  useDb(null);
  dataKey = null;
  await setActiveProfile(null);
  set({ phase: 'locked', profile: null, overlay: false }, true);
}

/** The screen shown again after the password was given on the lock screen of the open profile. */
export function unveil(): void {
  if (state.overlay) set({ overlay: false });
}

/** Hides the screen behind the PIN (accounts only: the demo has no PIN). */
export function lockNow(): void {
  if (state.phase === 'open' && state.profile?.kind === 'account' && state.profile.keys.pin) set({ overlay: true });
}

export type UnlockResult = { ok: true } | { ok: false; left: number };

/** Tries a PIN on the chosen or open profile; the fifth wrong one closes the store until the password is given. */
export async function unlock(pin: string): Promise<UnlockResult> {
  const p = state.profile;
  if (!p) return { ok: false, left: 0 };
  const r = await checkPin(p.id, pin);
  const fresh = (await registry().profiles.get(p.id)) ?? p;
  if (r.ok) {
    if (state.phase === 'open') set({ overlay: false, profile: fresh });
    else await enter(fresh, r.key);
    return { ok: true };
  }
  if (r.left === 0) {
    useDb(null);
    dataKey = null;
    set({ phase: 'locked', profile: fresh, overlay: false }, true);
  } else set({ profile: fresh });
  return r;
}

/** The recovery wrap of the open account's key, fetched once the county can be reached. */
export async function ensureRecoveryWrap(): Promise<void> {
  const p = currentProfile();
  const key = dataKey;
  if (!p || p.kind !== 'account' || p.keys.server || !key) return;
  const session = (await db().meta.get('session'))?.value as { token?: string } | undefined;
  if (!session?.token) return;
  try {
    const { key: recovery } = await api.deviceKey(session.token);
    await saveRecoveryWrap(p, key, recovery);
    const fresh = await registry().profiles.get(p.id);
    if (fresh && currentProfile()?.id === p.id) set({ profile: fresh });
  } catch {
    /* offline or an older county server: tried again after the next sync */
  }
}

/** The data key of a profile from the county's recovery key (a forgotten PIN, five wrong PINs). */
export async function recoverKey(p: ProfileRow, token: string): Promise<Uint8Array | null> {
  if (!p.keys.server) return null;
  const { key } = await api.deviceKey(token);
  return unwrapWithServer(p.keys.server, key);
}

/**
 * The county said the device is revoked or the user disabled (a stolen tablet): the profile is
 * wiped, and for a revoked device every account profile on it; the sign-in screen says why.
 */
export async function wipe(reason: WipeNotice['reason'], username: string | null = currentProfile()?.username ?? null): Promise<void> {
  const profiles = await listProfiles();
  const doomed = profiles.filter((p) => p.kind === 'account' && (reason === 'device-revoked' || p.username === username));
  const notice: WipeNotice = { reason, username, at: new Date().toISOString() };
  // The notice first: the sign-in page shown next reads it once.
  await registry().meta.put({ key: 'wiped', value: notice });
  const shown = state.profile;
  const closing = shown !== null && doomed.some((p) => p.id === shown.id);
  if (closing) {
    useDb(null);
    dataKey = null;
  }
  for (const p of doomed) await removeProfile(p.id);
  if (closing || state.phase === 'blank') toBlank('/login');
}

// A worker that takes control after the profile was opened (the first visit) is told too.
if (typeof navigator !== 'undefined' && navigator.serviceWorker) {
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const p = currentProfile();
    if (p && dataKey) tellWorker({ dbName: p.dbName, key: dataKey });
  });
}

setWipeHandler(async (code) => {
  if (code === 'device-revoked' || code === 'user-disabled') await wipe(code);
});

export { ApiError };
