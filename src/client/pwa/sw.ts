/// <reference lib="webworker" />
/**
 * The service worker: the app shell and every asset precached, every navigation answered with the
 * shell (so deep links open offline), updates taken only when the page asks (prompt mode), and
 * Background Sync: when the browser fires the outbox tag after connectivity returns, the outbox is
 * pushed and the roster pulled from here, even if no page of the app is open.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CunyiDb, hasOpenDb, useDb } from '../db/schema.ts';
import { OUTBOX_SYNC_TAG } from '../sync/background.ts';
import { syncNow } from '../sync/engine.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));

/**
 * The open profile's store, handed over by an unlocked page (profiles/store.ts) and dropped when
 * it locks for good, switches or signs out. The key lives in this worker's memory only: once the
 * browser stops the worker, a Background Sync finds no store and the outbox waits, sealed, for the
 * next unlock (docs/client.md).
 */
self.addEventListener('message', (event) => {
  const msg = event.data as { type?: string; dbName?: string; key?: Uint8Array } | null;
  if (msg?.type === 'SKIP_WAITING') void self.skipWaiting();
  if (msg?.type === 'profile-open' && msg.dbName && msg.key instanceof Uint8Array) useDb(new CunyiDb(msg.dbName, { key: msg.key }));
  if (msg?.type === 'profile-closed') useDb(null);
});

interface SyncEvent extends ExtendableEvent {
  tag: string;
}

self.addEventListener('sync', ((event: SyncEvent) => {
  if (event.tag !== OUTBOX_SYNC_TAG || !hasOpenDb()) return;
  event.waitUntil(
    syncNow().then((r) => {
      // Still offline: fail, so that the browser tries again later.
      if (r?.error === 'offline') throw new Error('offline');
    }),
  );
}) as EventListener);
