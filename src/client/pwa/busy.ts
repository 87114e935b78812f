/**
 * What must not be interrupted by an app update: forms with unsaved input and a running sync.
 * The update banner reads this and never reloads while anything here is busy.
 */
import { useSyncExternalStore } from 'react';

const dirty = new Set<string>();
let syncing = false;
const listeners = new Set<() => void>();
let snapshot = { dirtyForms: 0, syncing: false };

function emit() {
  snapshot = { dirtyForms: dirty.size, syncing };
  for (const l of listeners) l();
}

export function setFormDirty(formId: string, isDirty: boolean): void {
  const had = dirty.has(formId);
  if (isDirty && !had) dirty.add(formId);
  else if (!isDirty && had) dirty.delete(formId);
  else return;
  emit();
}

export function setSyncing(on: boolean): void {
  if (syncing === on) return;
  syncing = on;
  emit();
}

export function busyState(): { dirtyForms: number; syncing: boolean } {
  return snapshot;
}

export function useBusy() {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot,
  );
}
