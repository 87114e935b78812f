/**
 * Form state that survives a reload, a crash or a dead battery: every change is kept as a draft
 * on the device until the form is saved or discarded, and a form with unsaved input holds off app
 * updates (pwa/busy.ts).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { setFormDirty } from '../../pwa/busy.ts';

const PREFIX = 'cunyi.draft.';

function readDraft<T>(formId: string): T | null {
  try {
    const raw = localStorage.getItem(PREFIX + formId);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function useDraft<T extends object>(formId: string, initial: T | null) {
  const [values, setValues] = useState<T | null>(() => readDraft<T>(formId) ?? initial);
  const [restored, setRestored] = useState(() => readDraft<T>(formId) !== null);
  const base = useRef<T | null>(initial);

  // The initial values may arrive after a database read.
  useEffect(() => {
    if (initial && base.current === null) {
      base.current = initial;
      setValues((v) => v ?? initial);
    }
  }, [initial]);

  const dirty = values !== null && base.current !== null && JSON.stringify(values) !== JSON.stringify(base.current);

  useEffect(() => {
    setFormDirty(formId, dirty);
    try {
      if (dirty) localStorage.setItem(PREFIX + formId, JSON.stringify(values));
      else localStorage.removeItem(PREFIX + formId);
    } catch {
      /* a full device: the values stay in memory and on screen */
    }
  }, [formId, values, dirty]);

  useEffect(() => () => setFormDirty(formId, false), [formId]);

  const set = useCallback(<K extends keyof T>(key: K, value: T[K]) => {
    setValues((v) => (v ? { ...v, [key]: value } : v));
  }, []);

  const clear = useCallback(() => {
    try {
      localStorage.removeItem(PREFIX + formId);
    } catch {
      /* nothing kept */
    }
    setFormDirty(formId, false);
    base.current = null;
    setRestored(false);
  }, [formId]);

  const discard = useCallback(() => {
    clear();
    base.current = initial;
    setValues(initial);
  }, [clear, initial]);

  return { values, set, dirty, restored, clear, discard };
}
