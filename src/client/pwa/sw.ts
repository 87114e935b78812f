/// <reference lib="webworker" />
/**
 * The service worker: the app shell and every asset precached, every navigation answered with the
 * shell (so deep links open offline), updates taken only when the page asks (prompt mode), and
 * Background Sync: when the browser fires the outbox tag after connectivity returns, the outbox is
 * pushed and the roster pulled from here, even if no page of the app is open.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { OUTBOX_SYNC_TAG } from '../sync/background.ts';
import { syncNow } from '../sync/engine.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));

self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

interface SyncEvent extends ExtendableEvent {
  tag: string;
}

self.addEventListener('sync', ((event: SyncEvent) => {
  if (event.tag !== OUTBOX_SYNC_TAG) return;
  event.waitUntil(
    syncNow().then((r) => {
      // Still offline: fail, so that the browser tries again later.
      if (r?.error === 'offline') throw new Error('offline');
    }),
  );
}) as EventListener);
