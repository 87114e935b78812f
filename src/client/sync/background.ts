/** Background Sync: the tag the page registers when a change waits, and the worker answers. */
export const OUTBOX_SYNC_TAG = 'cunyi-outbox';

/** Asks the browser to fire the outbox sync when connectivity returns (where it has Background Sync). */
export function requestBackgroundSync(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.ready
    .then((r) => (r as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(OUTBOX_SYNC_TAG))
    .catch(() => {});
}
