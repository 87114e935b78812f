/** The busy state (busy-store.ts) as a React hook, for the update banner and the sync button. */
import { useSyncExternalStore } from 'react';
import { busyState, subscribeBusy } from './busy-store.ts';

export { busyState, setFormDirty, setSyncing } from './busy-store.ts';

export function useBusy() {
  return useSyncExternalStore(subscribeBusy, busyState);
}
