/**
 * Form drafts in IndexedDB (the drafts table), where a write is on disk when its transaction
 * completes: saved shortly after each change and at once when the page is hidden; the drafts
 * that older versions kept in localStorage are moved in once.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { DRAFT_DELAY_MS, DraftSaver, LEGACY_PREFIX, migrateLocalDrafts, readDraft } from '../../src/client/features/common/drafts.ts';

const fresh = () => new CunyiDb(`drafts-${Date.now()}-${Math.random()}`);

/** localStorage as the browser has it, in memory. */
function memoryStorage(entries: Record<string, string>): Storage {
  const m = new Map(Object.entries(entries));
  return {
    get length() {
      return m.size;
    },
    key: (i: number) => [...m.keys()][i] ?? null,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, String(v)),
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('drafts from localStorage', () => {
  it('are moved into the drafts table once and removed from localStorage; a newer draft in the table is kept', async () => {
    const d = fresh();
    await d.drafts.put({ id: 'member-M1', values: { name: '新的' }, savedAt: '2026-11-20T08:00:00.000Z' });
    const storage = memoryStorage({
      [`${LEGACY_PREFIX}household-new-V1`]: JSON.stringify({ villageId: 'V1', number: '12', address: '王家沟三组', phone: '' }),
      [`${LEGACY_PREFIX}member-M1`]: JSON.stringify({ name: '旧的' }),
      [`${LEGACY_PREFIX}broken`]: '{not json',
      'cunyi.lang': 'zh-TW',
    });
    expect(await migrateLocalDrafts(storage, d)).toBe(1);
    expect((await d.drafts.get('household-new-V1'))!.values).toEqual({ villageId: 'V1', number: '12', address: '王家沟三组', phone: '' });
    expect((await d.drafts.get('member-M1'))!.values).toEqual({ name: '新的' });
    expect(await d.drafts.get('broken')).toBeUndefined();
    expect(storage.length).toBe(1);
    expect(storage.getItem('cunyi.lang')).toBe('zh-TW');
    // once: a second run finds nothing to move
    expect(await migrateLocalDrafts(storage, d)).toBe(0);
    expect(await d.drafts.count()).toBe(2);
  });

  it('readDraft moves them first, so a draft typed before the update is restored', async () => {
    const d = fresh();
    const storage = memoryStorage({ [`${LEGACY_PREFIX}status-M9`]: JSON.stringify({ note: '低保 2026 年复核' }) });
    expect(await readDraft('status-M9', d, storage)).toEqual({ note: '低保 2026 年复核' });
    expect(storage.length).toBe(0);
  });
});

describe('saving a draft', () => {
  it('is debounced to at most 300 ms after the last change, and writes the last values', async () => {
    expect(DRAFT_DELAY_MS).toBeLessThanOrEqual(300);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const d = fresh();
    const saver = new DraftSaver('household-new-V1', d);
    saver.schedule({ address: '王' });
    saver.schedule({ address: '王家' });
    saver.schedule({ address: '王家沟' });
    await saver.idle();
    expect(await d.drafts.get('household-new-V1')).toBeUndefined();
    vi.advanceTimersByTime(DRAFT_DELAY_MS);
    await saver.idle();
    expect((await d.drafts.get('household-new-V1'))!.values).toEqual({ address: '王家沟' });
  });

  it('is written at once on flush (page hidden), and removed when the form is back to its saved values', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const d = fresh();
    const saver = new DraftSaver('status-M1', d);
    saver.schedule({ note: '文件号' });
    await saver.flush();
    expect((await d.drafts.get('status-M1'))!.values).toEqual({ note: '文件号' });
    saver.schedule(null);
    await saver.flush();
    expect(await d.drafts.get('status-M1')).toBeUndefined();
  });

  it('after cancel, nothing waiting is written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const d = fresh();
    const saver = new DraftSaver('status-M2', d);
    saver.schedule({ note: 'x' });
    saver.cancel();
    vi.advanceTimersByTime(DRAFT_DELAY_MS * 2);
    await saver.flush();
    expect(await d.drafts.get('status-M2')).toBeUndefined();
  });
});
