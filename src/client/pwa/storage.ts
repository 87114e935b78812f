/**
 * Persistent storage: ask the browser not to evict the roster, and report use and free space so
 * the doctor is warned before the tablet fills up (a full device must never lose entered data).
 */
export interface StorageInfo {
  supported: boolean;
  persisted: boolean | null;
  usage: number | null;
  quota: number | null;
  /** Free space is short: under 100 MB or under 10% of the quota. */
  low: boolean;
}

export async function requestPersistence(): Promise<boolean | null> {
  if (!navigator.storage?.persist) return null;
  try {
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch {
    return null;
  }
}

export async function storageInfo(): Promise<StorageInfo> {
  if (!navigator.storage?.estimate) return { supported: false, persisted: null, usage: null, quota: null, low: false };
  const [est, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? Promise.resolve(null)]);
  const usage = est.usage ?? null;
  const quota = est.quota ?? null;
  const free = usage !== null && quota !== null ? quota - usage : null;
  const low = free !== null && quota !== null && (free < 100 * 1024 * 1024 || free < quota * 0.1);
  return { supported: true, persisted, usage, quota, low };
}
