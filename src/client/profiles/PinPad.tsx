import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Six digits with large keys (a 60-year-old's thumb on a cheap tablet), and a field the keyboard
 * can type into too. Calls `onDone` with the six digits, then clears.
 */
export function PinPad({ onDone, busy, label, testId }: { onDone: (pin: string) => void; busy?: boolean; label: string; testId?: string }) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const put = (next: string) => {
    const v = next.replace(/\D/g, '').slice(0, 6);
    setPin(v);
    if (v.length === 6) {
      setPin('');
      onDone(v);
    }
  };
  return (
    <div className="pinpad" data-testid={testId}>
      <label className="pin-label" htmlFor="pin-input">
        {label}
      </label>
      <input
        id="pin-input"
        ref={input}
        className="pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={6}
        value={pin}
        disabled={busy}
        onChange={(e) => put(e.target.value)}
        data-testid="pin-input"
      />
      <div className="pin-dots" aria-hidden="true">
        {[0, 1, 2, 3, 4, 5].map((i) => (
          <span key={i} className={i < pin.length ? 'on' : ''} />
        ))}
      </div>
      <div className="pin-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => (
          <button key={d} type="button" disabled={busy} onClick={() => put(pin + d)}>
            {d}
          </button>
        ))}
        <button type="button" className="pin-aux" disabled={busy} onClick={() => setPin('')}>
          {t('pin.clear')}
        </button>
        <button type="button" disabled={busy} onClick={() => put(pin + '0')}>
          0
        </button>
        <button type="button" className="pin-aux" disabled={busy} onClick={() => setPin(pin.slice(0, -1))}>
          {t('pin.back')}
        </button>
      </div>
    </div>
  );
}

/** A PIN nobody should choose: one digit six times, or a run up or down. */
export function weakPin(pin: string): boolean {
  if (/^(\d)\1{5}$/.test(pin)) return true;
  const up = '01234567890';
  const down = '09876543210';
  return up.includes(pin) || down.includes(pin);
}

/** Choosing a PIN: twice the same six digits, not a weak one. */
export function PinSetup({ onChosen, busy }: { onChosen: (pin: string) => void; busy?: boolean }) {
  const { t } = useTranslation();
  const [first, setFirst] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="pin-setup" data-testid="pin-setup">
      <h2>{t('pin.setTitle')}</h2>
      <p className="muted">{t('pin.setHelp')}</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <PinPad
        key={first === null ? 'first' : 'again'}
        label={first === null ? t('pin.digits') : t('pin.again')}
        busy={busy}
        onDone={(pin) => {
          if (first === null) {
            if (weakPin(pin)) return setError(t('pin.weak'));
            setError(null);
            setFirst(pin);
            return;
          }
          if (pin !== first) {
            setFirst(null);
            return setError(t('pin.mismatch'));
          }
          onChosen(pin);
        }}
      />
    </div>
  );
}
