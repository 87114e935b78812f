/**
 * Form drafts in the database's drafts table (schema v4). An IndexedDB write on the app's
 * strict-durability connection is on disk when its transaction completes; localStorage, where
 * drafts were kept before, is written back by Chromium seconds later, so what was typed just
 * before the browser was killed (a dead battery, the system reclaiming memory) was lost.
 */
import { db, type CunyiDb } from '../../db/schema.ts';

/** Where older versions kept each draft in localStorage: the prefix, then the form's id. */
export const LEGACY_PREFIX = 'cunyi.draft.';

/** How long after the last change a draft is written (a hidden page writes at once). */
export const DRAFT_DELAY_MS = 250;

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage blocked
  }
}

const migrations = new WeakMap<CunyiDb, Promise<number>>();

/**
 * Moves the drafts older versions left in localStorage into the drafts table, once per page
 * load, then removes them from localStorage. A draft the table already holds is newer and kept;
 * an entry that is not JSON is dropped. Returns how many were moved.
 */
export function migrateLocalDrafts(storage: Storage | null = browserStorage(), d: CunyiDb = db()): Promise<number> {
  const own = storage !== null && storage === browserStorage();
  const running = own ? migrations.get(d) : undefined;
  if (running) return running;
  const p = (async () => {
    if (!storage) return 0;
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k?.startsWith(LEGACY_PREFIX)) keys.push(k);
    }
    if (keys.length === 0) return 0;
    const savedAt = new Date().toISOString();
    let moved = 0;
    await d.transaction('rw', d.drafts, async () => {
      for (const k of keys) {
        let values: unknown;
        try {
          values = JSON.parse(storage.getItem(k) ?? 'null');
        } catch {
          continue;
        }
        if (values === null || typeof values !== 'object') continue;
        const id = k.slice(LEGACY_PREFIX.length);
        if (await d.drafts.get(id)) continue;
        await d.drafts.add({ id, values, savedAt });
        moved++;
      }
    });
    // Only once the table holds them (the transaction has completed) are they removed here.
    for (const k of keys) storage.removeItem(k);
    return moved;
  })();
  if (own) {
    migrations.set(d, p);
    // A failed move is tried again next time; the entries are still in localStorage.
    p.catch(() => migrations.delete(d));
  }
  return p;
}

/** The draft of a form, or null (after moving any left in localStorage). */
export async function readDraft<T>(formId: string, d: CunyiDb = db(), storage: Storage | null = browserStorage()): Promise<T | null> {
  try {
    await migrateLocalDrafts(storage, d);
  } catch {
    /* the old drafts stay where they are; today's still open */
  }
  const row = await d.drafts.get(formId);
  return row ? (row.values as T) : null;
}

/**
 * Writes one form's draft: `schedule` keeps the latest values (null: the form is back to its saved
 * values, so the draft goes) and writes them DRAFT_DELAY_MS after the last change; `flush` writes
 * at once (the page is being hidden or the form closed); `cancel` drops what waits (the form was
 * saved). Writes happen one after another, in the order they were asked for.
 */
export class DraftSaver {
  private pending: { values: unknown } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly formId: string,
    private readonly d: CunyiDb = db(),
    private readonly delay = DRAFT_DELAY_MS,
  ) {}

  schedule(values: unknown | null): void {
    this.pending = { values };
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delay);
  }

  /** Writes what waits now; resolves when it is stored (and every write before it). */
  flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const job = this.pending;
    this.pending = null;
    if (job) {
      const { formId, d } = this;
      this.chain = this.chain
        .then(() => (job.values === null ? d.drafts.delete(formId) : d.drafts.put({ id: formId, values: job.values, savedAt: new Date().toISOString() })).then(() => undefined))
        .catch(() => {
          /* a full device: the values stay in memory and on screen */
        });
    }
    return this.chain;
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  /** Resolves when the writes already started are done (not the one still waiting for its delay). */
  idle(): Promise<void> {
    return this.chain;
  }
}

/** Deletes a form's draft now (the form was saved or discarded), after any write still running. */
export function dropDraft(saver: DraftSaver): Promise<void> {
  saver.cancel();
  saver.schedule(null);
  return saver.flush();
}
