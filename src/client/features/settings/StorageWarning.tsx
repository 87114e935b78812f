import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bytes } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { storageInfo, type StorageInfo } from '../../pwa/storage.ts';

/** A warning on every screen when the tablet is running out of space. */
export function StorageWarning() {
  const { t } = useTranslation();
  const [info, setInfo] = useState<StorageInfo | null>(null);
  useEffect(() => {
    let live = true;
    const check = () => void storageInfo().then((i) => live && setInfo(i));
    check();
    const timer = window.setInterval(check, 60_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  if (!info?.low || info.quota === null || info.usage === null) return null;
  return (
    <div className="banner warn" role="alert">
      {t('storage.lowWarning', { free: bytes(info.quota - info.usage) })} <Link to="/settings">{t('nav.settings')}</Link>
    </div>
  );
}
