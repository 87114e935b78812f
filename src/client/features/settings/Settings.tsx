import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bytes } from '../../i18n/index.ts';
import { LanguagePicker } from '../common/LanguagePicker.tsx';
import { TextSizePicker } from './TextSizePicker.tsx';
import { AccountCard } from '../../profiles/Account.tsx';
import { Link } from '../../router.tsx';
import { requestPersistence, storageInfo, type StorageInfo } from '../../pwa/storage.ts';

export function Settings() {
  const { t } = useTranslation();
  const [info, setInfo] = useState<StorageInfo | null>(null);
  const refresh = () => void storageInfo().then(setInfo);
  useEffect(refresh, []);

  return (
    <section className="page">
      <h1>{t('settings.title')}</h1>
      <AccountCard />
      <div className="card">
        <h2>{t('settings.language')}</h2>
        <LanguagePicker />
      </div>
      <div className="card">
        <h2>{t('settings.textSize')}</h2>
        <TextSizePicker />
      </div>
      <Link to="/exports" className="card row-link" data-testid="open-exports">
        <span className="title">{t('settings.exports')}</span>
        <span className="meta">{t('settings.exportsHint')}</span>
      </Link>
      <div className="card" data-testid="storage-card">
        <h2>{t('settings.storage')}</h2>
        {info === null ? (
          <p>{t('common.loading')}</p>
        ) : !info.supported ? (
          <p>{t('storage.unsupported')}</p>
        ) : (
          <dl className="facts">
            <dt>{t('storage.persistent')}</dt>
            <dd>
              {info.persisted ? t('storage.persistentYes') : t('storage.persistentNo')}
              {!info.persisted && (
                <button type="button" onClick={() => void requestPersistence().then(refresh)}>
                  {t('storage.requestPersist')}
                </button>
              )}
            </dd>
            <dt>{t('storage.used')}</dt>
            <dd>{bytes(info.usage ?? 0)}</dd>
            <dt>{t('storage.free')}</dt>
            <dd>{bytes(Math.max(0, (info.quota ?? 0) - (info.usage ?? 0)))}</dd>
          </dl>
        )}
        {info?.low && <p className="error">{t('storage.lowWarning', { free: bytes((info.quota ?? 0) - (info.usage ?? 0)) })}</p>}
      </div>
      <div className="card">
        <h2>{t('settings.about')}</h2>
        <p data-testid="app-version">
          {t('app.name')} {__APP_VERSION__}
        </p>
      </div>
    </section>
  );
}
