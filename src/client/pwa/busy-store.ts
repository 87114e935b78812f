/**
 * What must not be interrupted by an app update: forms with unsaved input and a running sync.
 * Plain state with no React, so the service worker's sync can use it too.
 */
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

export function subscribeBusy(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
