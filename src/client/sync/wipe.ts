/**
 * What to do when the county answers that this device is revoked or this user disabled: the
 * profile module wipes the profile (src/client/profiles/store.ts registers it). Kept apart so that
 * the sync engine, which the service worker runs too, does not depend on the screens' state.
 */
export type WipeCode = 'device-revoked' | 'user-disabled';
let handler: ((code: WipeCode) => Promise<void>) | null = null;

export function setWipeHandler(h: (code: WipeCode) => Promise<void>): void {
  handler = h;
}

export async function wiped(code: string): Promise<boolean> {
  if (code !== 'device-revoked' && code !== 'user-disabled') return false;
  await handler?.(code);
  return true;
}
