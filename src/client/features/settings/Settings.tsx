import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bytes, currentLang, LANGS, setLang, type AppLang } from '../../i18n/index.ts';
import { requestPersistence, storageInfo, type StorageInfo } from '../../pwa/storage.ts';

const LANG_NAMES: Record<AppLang, string> = { 'zh-CN': '简体中文', 'zh-TW': '繁體中文', en: 'English' };

export function Settings() {
  const { t } = useTranslation();
  const [info, setInfo] = useState<StorageInfo | null>(null);
  const [lang, setLangState] = useState<AppLang>(currentLang());
  const refresh = () => void storageInfo().then(setInfo);
  useEffect(refresh, []);

  return (
    <section className="page">
      <h1>{t('settings.title')}</h1>
      <div className="card">
        <h2>{t('settings.language')}</h2>
        <div className="segmented" role="radiogroup" aria-label={t('settings.language')}>
          {LANGS.map((l) => (
            <button
              key={l}
              type="button"
              role="radio"
              aria-checked={lang === l}
              className={lang === l ? 'selected' : ''}
              onClick={() => {
                setLang(l);
                setLangState(l);
              }}
            >
              {LANG_NAMES[l]}
            </button>
          ))}
        </div>
      </div>
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
