/**
 * When a new version is ready, offer it; never reload while a form holds unsaved input or a sync
 * is running (the update waits, and the banner says why).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRegisterSW } from 'virtual:pwa-register/react';
import { busyState, useBusy } from './busy.ts';

export function UpdateBanner() {
  const { t } = useTranslation();
  const busy = useBusy();
  const [blocked, setBlocked] = useState(false);
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    immediate: true,
    onRegisteredSW(_url, registration) {
      // Look for a new version at start and every hour the app stays open.
      if (registration) window.setInterval(() => void registration.update().catch(() => {}), 60 * 60 * 1000);
    },
  });

  if (offlineReady && !needRefresh) {
    return (
      <div className="banner info" role="status">
        <span>{t('pwa.offlineReady')}</span>
        <button type="button" onClick={() => setOfflineReady(false)}>
          {t('common.ok')}
        </button>
      </div>
    );
  }
  if (!needRefresh) return null;
  const isBusy = busy.dirtyForms > 0 || busy.syncing;
  return (
    <div className="banner update" role="alert" data-testid="update-banner">
      <span>{t('pwa.updateReady')}</span>
      {(blocked || isBusy) && <span className="hint">{busy.syncing ? t('pwa.waitSync') : t('pwa.waitForm')}</span>}
      <button
        type="button"
        className="primary"
        onClick={() => {
          const now = busyState();
          if (now.dirtyForms > 0 || now.syncing) {
            setBlocked(true);
            return;
          }
          void updateServiceWorker(true);
        }}
      >
        {t('pwa.updateNow')}
      </button>
      <button type="button" onClick={() => setNeedRefresh(false)}>
        {t('pwa.later')}
      </button>
    </div>
  );
}
