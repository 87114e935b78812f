import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import './ConfirmDialog.css';

/**
 * Asks before something that cannot simply be taken back: a question, what will happen spelled
 * out, and two large buttons. Drawn by the app over the page, not `window.confirm`, which some
 * tablet WebViews never show (and then answer "no", or "yes"). Cancel has the focus; Escape or a
 * tap outside cancels. `children` holds what the question needs (a date, the photo concerned);
 * `error` says why the answer was refused, and the dialog stays open.
 */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  cancelLabel,
  danger = false,
  busy = false,
  error = null,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const cancel = useRef(onCancel);
  cancel.current = onCancel;

  useEffect(() => {
    if (!open) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancelRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancel.current();
    };
    document.addEventListener('keydown', onKey);
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.removeEventListener('keydown', onKey);
      document.body.style.overflow = overflow;
      before?.focus();
    };
  }, [open]);

  if (!open) return null;
  return createPortal(
    <div
      className="confirm-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget && !busy) onCancel();
      }}
    >
      <div className="confirm-dialog" role="alertdialog" aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} data-testid="confirm-dialog">
        <h2 id={`${id}-title`}>{title}</h2>
        <div id={`${id}-text`} className="confirm-text">
          {message}
        </div>
        {children}
        {error && (
          <p className="error" role="alert" data-testid="confirm-error">
            {error}
          </p>
        )}
        <div className="confirm-actions">
          <button type="button" ref={cancelRef} onClick={onCancel} disabled={busy} data-testid="confirm-no">
            {cancelLabel ?? t('common.cancel')}
          </button>
          <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy} data-testid="confirm-yes">
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
