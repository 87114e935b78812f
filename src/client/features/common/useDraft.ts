/**
 * Form state that survives a reload, a crash or a dead battery: every change is kept as a draft in
 * the database (drafts.ts) until the form is saved or discarded, and a form with unsaved input
 * holds off app updates (pwa/busy.ts).
 *
 * The stored draft is read asynchronously. Until it arrives the form shows its initial values and
 * can be used; when it arrives it replaces them, except for fields typed in the meantime, which
 * are newer. Nothing is written (or deleted) before the read, so a stored draft is never
 * overwritten by the initial values; initial values that arrive after the draft (a form that
 * reads its record first) never replace it either.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { setFormDirty } from '../../pwa/busy.ts';
import { DraftSaver, dropDraft, readDraft } from './drafts.ts';

export function useDraft<T extends object>(formId: string, initial: T | null) {
  const [values, setValues] = useState<T | null>(initial);
  const [restored, setRestored] = useState(false);
  /** The form whose stored draft has been read (null: not yet). */
  const [loadedFor, setLoadedFor] = useState<string | null>(null);
  const loaded = loadedFor === formId;
  const loadedRef = useRef(false);
  loadedRef.current = loaded;
  /** The values the form was opened with: input equal to them is not a draft. */
  const base = useRef<T | null>(initial);
  /** Saved or cleared: the initial values must not become the base again. */
  const done = useRef(false);
  /** Fields changed before the stored draft was read. */
  const touched = useRef(new Set<keyof T>());
  /** A draft row exists (or is about to be written). */
  const stored = useRef(false);
  const saver = useMemo(() => new DraftSaver(formId), [formId]);

  useEffect(() => {
    let live = true;
    readDraft<T>(formId).then(
      (draft) => {
        if (!live) return;
        if (draft) {
          stored.current = true;
          setValues((v) => {
            const mine = v ? Object.fromEntries([...touched.current].map((k) => [k, v[k]])) : {};
            // Over what the form holds, so a field added since the draft was kept still has a value.
            return { ...(v ?? {}), ...draft, ...mine } as T;
          });
          setRestored(true);
        }
        touched.current.clear();
        setLoadedFor(formId);
      },
      () => live && setLoadedFor(formId),
    );
    return () => {
      live = false;
    };
  }, [formId]);

  // The initial values may arrive after a database read.
  useEffect(() => {
    if (initial && base.current === null && !done.current) {
      base.current = initial;
      setValues((v) => v ?? initial);
    }
  }, [initial]);

  const dirty = values !== null && base.current !== null && JSON.stringify(values) !== JSON.stringify(base.current);

  useEffect(() => {
    setFormDirty(formId, dirty);
    if (!loaded) return;
    if (dirty) {
      stored.current = true;
      saver.schedule(values);
    } else if (stored.current) {
      stored.current = false;
      saver.schedule(null);
    }
  }, [formId, values, dirty, loaded, saver]);

  // Hidden (the tablet's home button, the screen turned off, the app switched) or closed: write now.
  useEffect(() => {
    const now = () => void saver.flush();
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') now();
    };
    window.addEventListener('pagehide', now);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', now);
      document.removeEventListener('visibilitychange', onVisibility);
      now();
      setFormDirty(formId, false);
    };
  }, [saver, formId]);

  const set = useCallback(<K extends keyof T>(key: K, value: T[K]) => {
    if (!loadedRef.current) touched.current.add(key);
    setValues((v) => (v ? { ...v, [key]: value } : v));
  }, []);

  const clear = useCallback(() => {
    done.current = true;
    base.current = null;
    stored.current = false;
    void dropDraft(saver);
    setFormDirty(formId, false);
    setRestored(false);
  }, [formId, saver]);

  const discard = useCallback(() => {
    clear();
    done.current = false;
    base.current = initial;
    setValues(initial);
  }, [clear, initial]);

  return { values, set, dirty, restored: restored && dirty, loaded, clear, discard };
}
