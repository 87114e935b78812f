import { useLiveQuery } from 'dexie-react-hooks';
import { db } from '../../db/schema.ts';
import type { Session } from '../../sync/session.ts';

/** The signed-in account on this device (null when signed out), live. */
export function useSession(): Session | null {
  return useLiveQuery(async () => ((await db().meta.get('session'))?.value as Session | undefined) ?? null, [], null);
}
