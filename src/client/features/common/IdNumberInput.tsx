import { useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * An ID-number field for a tablet: a numeric keyboard (inputmode) with an X key beside it, since no
 * numeric keyboard has the check letter; spaces (as a number is often read out in groups) are stripped
 * and a lower-case x is taken as X.
 */
export function cleanIdNumber(raw: string): string {
  return raw.replace(/[\s\u3000-]+/g, '').replace(/x/g, 'X');
}

export function IdNumberInput({ id, value, onChange, onBlur, invalid }: { id: string; value: string; onChange: (v: string) => void; onBlur?: () => void; invalid?: boolean }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLInputElement>(null);
  const typeX = () => {
    const el = ref.current;
    const at = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? at;
    const next = cleanIdNumber(value.slice(0, at) + 'X' + value.slice(end));
    onChange(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + 1, at + 1);
    });
  };
  return (
    <div className="id-input">
      <input
        ref={ref}
        id={id}
        value={value}
        inputMode="numeric"
        maxLength={24}
        autoComplete="off"
        onChange={(ev) => onChange(cleanIdNumber(ev.target.value))}
        onBlur={onBlur}
        aria-invalid={invalid}
      />
      <button type="button" className="id-x" onPointerDown={(e) => e.preventDefault()} onClick={typeX} aria-label={t('members.typeX')} data-testid={`${id}-x`}>
        X
      </button>
    </div>
  );
}
