import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLang, LANGS, setLang, type AppLang } from '../../i18n/index.ts';

const LANG_NAMES: Record<AppLang, string> = { 'zh-CN': '简体中文', 'zh-TW': '繁體中文', en: 'English' };

/** The language choice, remembered on the device. Each language is named in itself. */
export function LanguagePicker() {
  const { t } = useTranslation();
  const [lang, setLangState] = useState<AppLang>(currentLang());
  return (
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
  );
}
