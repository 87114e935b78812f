import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { savedTextScale, setTextScale, TEXT_SCALES, type TextScale } from './text-size.ts';

/** 标准 / 大 / 特大: the whole app follows at once. */
export function TextSizePicker() {
  const { t } = useTranslation();
  const [scale, setScale] = useState<TextScale>(savedTextScale());
  return (
    <div className="segmented" role="radiogroup" aria-label={t('settings.textSize')}>
      {TEXT_SCALES.map((s) => (
        <button
          key={s}
          type="button"
          role="radio"
          aria-checked={scale === s}
          className={scale === s ? 'selected' : ''}
          data-testid={`text-size-${s}`}
          onClick={() => {
            setTextScale(s);
            setScale(s);
          }}
        >
          {t(`settings.textSize${s}`)}
        </button>
      ))}
    </div>
  );
}
